import ArgumentParser
import Foundation
import Inventory

/// Where `save-suite` and `compare` get a new list: a diff of snapshots (`--before`/`--after`),
/// list files (`-f`, in list or bash form), or standard input (what `inventory diff` printed).
struct DerivedListOptions: ParsableArguments {
    @OptionGroup var snapshots: SnapshotOptions

    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: ArgumentHelp(
            "Read the list from a file (list or bash form, as inventory diff prints them); - reads stdin. Repeatable.",
            valueName: "list"))
    var files: [String] = []

    func validate() throws {
        if snapshots.isGiven {
            try snapshots.validateBoth()
            guard files.isEmpty else { throw ValidationError("give either --before/--after or -f, not both") }
        } else if files.isEmpty, isatty(STDIN_FILENO) == 1 {
            throw ValidationError(
                "give the list: --before DIR --after DIR, -f LIST, or pipe it in "
                    + "(airgap inventory diff ... | airgap inventory save-suite NAME)")
        }
    }

    /// The list, and a phrase saying where it came from, for a suite's summary.
    func load(quiet: Bool) throws -> (list: ImageList, origin: String) {
        if snapshots.isGiven {
            let diff = try snapshots.diff()
            InventoryMessages.report(diff, quiet: quiet)
            return (diff.imageList, "derived with airgap inventory diff from \(diff.nodes.count) node\(diff.nodes.count == 1 ? "" : "s")")
        }
        var list = ImageList()
        let sources = files.isEmpty ? ["-"] : files
        for file in sources { list = list.merging(try ImageList.load(contentsOf: file)) }
        let names = sources.map { $0 == "-" ? "standard input" : $0 }
        return (list, "read from \(names.joined(separator: ", "))")
    }
}
