import ArgumentParser
import Inventory

/// `airgap inventory diff`: the images a run pulled, from snapshots of every node.
struct InventoryDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "List the images a test run pulled, from crictl snapshots of every node taken before and after it.",
        discussion: """
            On each node, an image counts as pulled when its id or one of its names is new (a retag \
            or a pull by digest counts). The result is the union over the nodes: an image already \
            cached on one node but pulled on another is still listed; one present before on every \
            node is not. Names are normalized (docker.io/library/...); an image without a tag is \
            listed as repo@digest. Images present before and gone after are reported on stderr \
            (and in --per-node, json and yaml), not dropped silently.

            Nodes are matched by name: a directory's NODE.json files (what snapshot-script writes), \
            or in one concatenated file by oc debug's `Starting pod/NODE-debug` lines, else by position.

            Examples:
              airgap inventory diff --before before --after after
              airgap inventory diff --before before --after after --per-node
              airgap inventory diff --before before.log --after after.log --output bash
              airgap inventory diff --before before --after after --output mapping \\
                --to registry.example.com/mirror
            """
    )

    @OptionGroup var snapshots: SnapshotOptions

    @Flag(name: .customLong("per-node"), help: "Show each node's pulled and removed images.")
    var perNode = false

    @OptionGroup var list: ListOutputOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        try snapshots.validateBoth()
        if perNode, list.output == .mapping {
            throw ValidationError("--output mapping lists each image once; --per-node works with list, bash, json and yaml")
        }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let diff = try snapshots.diff()
            let text = try diff.rendered(as: list.output.format, perNode: perNode, destination: list.destination)
            print(text, terminator: "")
            InventoryMessages.report(diff, quiet: outputOptions.quiet)
            list.warnAboutCollisions(in: diff.imageList, quiet: outputOptions.quiet)
        }
    }
}
