import ArgumentParser
import Nodes

/// `airgap nodes clean-script`: prints the bash script that removes the archive's images from every
/// node, by full name, and nothing else.
struct NodesCleanScriptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean-script",
        abstract: "Print a bash script that removes exactly an archive's images from every node.",
        discussion: """
            On each node the script runs `podman rmi` of each of the archive's images by full name, \
            without --force: another name of the same image stays, and an image a container still \
            uses is reported, not removed. It also removes a copy of the archive a failed load left \
            in /var/tmp. The archive itself is only read here, for its names: the script does not \
            need it.

            Example:
              airgap nodes clean-script images.tar --tools-image lab:5000/tools > clean.sh
            """
    )

    @OptionGroup var target: NodeTargetOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let archive = try await target.readArchive(quiet: outputOptions.quiet)
            print(NodeScript.clean(archive, options: try target.scriptOptions(command: "clean-script")), terminator: "")
        }
    }
}
