import ArgumentParser
import Nodes

/// `airgap nodes load-script`: prints the bash script that copies the archive to every node and
/// loads it there, for a cluster administrator to review and run.
struct NodesLoadScriptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-script",
        abstract: "Print a bash script that copies an archive to every node and podman-loads it there.",
        discussion: """
            For each node the script checks which images podman already has (all of them: the node \
            is skipped, nothing is copied), copies the archive to /var/tmp, checks its sha256 there, \
            runs `podman load -i` once, removes the copy and checks every image. It stops at the \
            first failing node unless generated with --keep-going, and exits non-zero when any node \
            failed. Run it where oc is logged in as a cluster administrator, next to the archive \
            (or with AIRGAP_ARCHIVE=path). AIRGAP_THIS_HOST=1 runs the node side on this host.

            A delta (airgap bundle --since) loads only where its base was loaded: before copying, \
            each node must hold every layer the delta left out, or it fails naming the base archive.

            Examples:
              airgap nodes load-script images.tar > load.sh && bash load.sh
              airgap nodes load-script images.tar --copy stream --nodes w-0,w-1 --keep-going
            """
    )

    @OptionGroup var target: NodeTargetOptions

    @Option(
        help: ArgumentHelp(
            "How the archive reaches each node: scp (as core, to its InternalIP) or stream (through oc debug -T).", valueName: "method"))
    var copy: CopyMethod = .scp

    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let archive = try await target.readArchive(quiet: outputOptions.quiet, loading: true)
            print(NodeScript.load(archive, options: try target.scriptOptions(copy: copy, command: "load-script")), terminator: "")
        }
    }
}
