import ArgumentParser
import Foundation
import Inventory
import OCI
import Registry

/// Which images a command works on: references as arguments, list files (`-f`, the seed's
/// `export IMAGES=( … )` form too) and suites (`--suite`: built-in, or stored with
/// `airgap inventory save-suite`), merged without duplicates.
struct ImageSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("Images to include, e.g. docker.io/library/busybox:1.29 or busybox:1.29.", valueName: "image"))
    var images: [String] = []

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp(
        "Read images from a file (one per line, # comments, or a pasted `export IMAGES=( ... )` array); - reads stdin. Repeatable.",
        valueName: "list"))
    var files: [String] = []

    @Option(name: .customLong("suite"), help: ArgumentHelp(
        "Include a suite's images: built-in (see --list-suites) or stored with airgap inventory save-suite. Repeatable.",
        valueName: "name"))
    var suites: [String] = []

    @Option(help: ArgumentHelp(
        "Where stored suites are (default $XDG_DATA_HOME/airgap/suites, else ~/.local/share/airgap/suites).",
        valueName: "dir"))
    var catalog: String?

    /// The merged list, in the order given: arguments, then files, then suites.
    func resolve() throws -> [ImageReference] {
        var list = try ImageList.parse(images.joined(separator: "\n"), source: "command line")
        for file in files { list = list.merging(try ImageList.load(contentsOf: file)) }
        // Built-in names resolve first, so their behaviour does not depend on the catalog.
        for suite in suites { list = list.merging(try suiteLookup.suite(named: suite).images) }
        return list.references
    }

    /// The built-in suites and the stored catalog (`--catalog`, else the default folder).
    var suiteLookup: SuiteLookup {
        SuiteLookup(
            stored: StoredSuiteCatalog(
                directory: catalog ?? StoredSuiteCatalog.defaultDirectory(environment: ProcessInfo.processInfo.environment)))
    }
}
