import ArgumentParser
import Foundation
import Inventory
import OCI

/// `--output` for image lists: the forms of `InventoryFormat`.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case list, bash, json, yaml, mapping

    var format: InventoryFormat {
        switch self {
        case .list: .list
        case .bash: .bash
        case .json: .json
        case .yaml: .yaml
        case .mapping: .mapping
        }
    }
}

/// `--output` and `--to`, shared by the commands that print an image list.
struct ListOutputOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "list (one per line, sorted), bash (an export IMAGES=( ... ) array), json, yaml, or mapping (SRC=DST lines, with --to).",
            valueName: "format"))
    var output: ListFormat = .list

    @Option(
        help: ArgumentHelp(
            "For --output mapping: the registry and optional path to mirror to; DEST/path:tag for each image.",
            valueName: "registry[/prefix]"))
    var to: String?

    func validate() throws {
        if output == .mapping {
            guard let to else {
                throw ValidationError("--output mapping needs a destination: add --to REGISTRY[/PREFIX], e.g. --to registry.example.com/mirror")
            }
            do { _ = try MirrorDestination(to) } catch { throw ValidationError("--to: \(error)") }
        } else if to != nil {
            throw ValidationError("--to goes with --output mapping")
        }
    }

    /// The destination of `--to`, validated by `validate()`.
    var destination: MirrorDestination? {
        to.flatMap { try? MirrorDestination($0) }
    }

    /// Warns on stderr when two images would be mirrored to the same destination.
    func warnAboutCollisions(in list: ImageList, quiet: Bool) {
        guard let destination, output == .mapping else { return }
        for (target, sources) in destination.collisions(list.references) {
            InventoryMessages.note(
                "\(sources.map(\.description).joined(separator: " and ")) would all be mirrored to \(target); "
                    + "mirror them to separate prefixes", quiet: quiet)
        }
    }
}

/// `--before` and `--after`: the snapshot files or directories of one run.
struct SnapshotOptions: ParsableArguments {
    @Option(
        name: .customLong("before"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "crictl images -o json (or -o yaml) outputs taken before the run: a directory of NODE.json files, files, or one concatenated file.",
            valueName: "path"))
    var before: [String] = []

    @Option(
        name: .customLong("after"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "The same, taken after the run.", valueName: "path"))
    var after: [String] = []

    var isGiven: Bool { !before.isEmpty || !after.isEmpty }

    func validateBoth() throws {
        guard !before.isEmpty, !after.isEmpty else {
            throw ValidationError(
                "give the snapshots taken before and after the run: --before DIR --after DIR "
                    + "(airgap inventory snapshot-script collects them)")
        }
    }

    func diff() throws -> InventoryDiff {
        try InventoryDiff.between(before: SnapshotLoader.load(before), after: SnapshotLoader.load(after))
    }
}

/// `--catalog`, where stored suites live.
struct CatalogOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The directory of stored suites (default $XDG_DATA_HOME/airgap/suites, else ~/.local/share/airgap/suites).",
            valueName: "dir"))
    var catalog: String?

    var stored: StoredSuiteCatalog {
        StoredSuiteCatalog(directory: catalog ?? StoredSuiteCatalog.defaultDirectory(environment: ProcessInfo.processInfo.environment))
    }

    var lookup: SuiteLookup { SuiteLookup(stored: stored) }
}

/// What inventory commands print besides their result: notes on stderr, silenced by `-q`.
enum InventoryMessages {
    /// How many nodes or images a note names before it only counts the rest: a 500-node cluster
    /// must not turn one note into a page.
    static let shownItems = 8

    static func shortened(_ items: [String], unit: String) -> String {
        guard items.count > shownItems else { return items.joined(separator: ", ") }
        return items.prefix(shownItems).joined(separator: ", ") + " and \(items.count - shownItems) more \(unit)"
    }

    static func note(_ text: String, quiet: Bool) {
        guard !quiet else { return }
        TerminalOutput.errorLine("note: \(text)")
    }

    /// What a diff leaves out or could not read, said once on stderr.
    static func report(_ diff: InventoryDiff, quiet: Bool) {
        for note in diff.notes { self.note(note, quiet: quiet) }
        if diff.images.isEmpty {
            note("no node pulled an image during the run: were the snapshots taken before and after it?", quiet: quiet)
        }
        guard !diff.removed.isEmpty else { return }
        let places = diff.nodes.filter { !$0.removed.isEmpty }.map(\.node)
        let count = diff.removed.count
        note(
            "\(count) image\(count == 1 ? " was" : "s were") present before and gone after (on \(shortened(places, unit: "nodes")); "
                + "garbage-collected by the kubelet during the run?), so the run may have used \(count == 1 ? "it" : "them") "
                + "without pulling: \(shortened(diff.removed.map(\.description), unit: "images"))"
                + (count > shownItems ? "; --per-node or --output json lists them all" : ""),
            quiet: quiet)
    }
}
