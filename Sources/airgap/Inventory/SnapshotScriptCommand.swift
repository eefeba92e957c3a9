import ArgumentParser
import Inventory
import OCI
import Registry

/// `airgap inventory snapshot-script`: the collection loop, so users gather exactly what `diff` reads.
struct SnapshotScriptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot-script",
        abstract: "Print the bash script that saves `crictl images -o json` of every node, for inventory diff.",
        discussion: """
            The script runs `oc get nodes` and, for each node, `oc debug --image=$TOOLSIMAGE NODE -- \
            chroot /host crictl images -o json > DIR/NODE.json`. Run it before the suite and after \
            it, into two directories, then diff them. A node whose collection fails leaves no file \
            and makes the script exit 1.

            Examples:
              airgap inventory snapshot-script > snapshot.sh
              airgap inventory snapshot-script --dir before \\
                --tools-image registry.example.com/rhel7/support-tools:latest
            """
    )

    @Option(
        name: .customLong("tools-image"),
        help: ArgumentHelp(
            "The image of the debug pods (on a disconnected cluster, the mirrored support-tools); default: $TOOLSIMAGE when the script runs, else oc's own.",
            valueName: "image"))
    var toolsImage: String?

    @Option(help: ArgumentHelp("The directory the script writes to when run without an argument.", valueName: "dir"))
    var dir: String = "snapshots"

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let toolsImage {
            do { _ = try ImageReference(toolsImage) } catch { throw ValidationError("--tools-image: \(error)") }
        }
        guard !dir.isEmpty else { throw ValidationError("--dir cannot be empty") }
    }

    func run() async throws {
        let image = try toolsImage.map { try ImageReference($0) }
        print(SnapshotScript(toolsImage: image, directory: dir).text, terminator: "")
    }
}
