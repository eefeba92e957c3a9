import ArgumentParser
import Inventory
import Registry

/// Which images a command works on: references as arguments, list files (`-f`, the seed's
/// `export IMAGES=( … )` form too) and built-in suites (`--suite`), merged without duplicates.
struct ImageSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("Images to include, e.g. docker.io/library/busybox:1.29 or busybox:1.29.", valueName: "image"))
    var images: [String] = []

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp(
        "Read images from a file (one per line, # comments, or a pasted `export IMAGES=( … )` array); - reads stdin. Repeatable.",
        valueName: "list"))
    var files: [String] = []

    @Option(name: .customLong("suite"), help: ArgumentHelp("Include a built-in suite's images (see --list-suites). Repeatable.", valueName: "name"))
    var suites: [String] = []

    /// The merged list, in the order given: arguments, then files, then suites.
    func resolve() throws -> [ImageReference] {
        var list = try ImageList.parse(images.joined(separator: "\n"), source: "command line")
        for file in files { list = list.merging(try ImageList.load(contentsOf: file)) }
        for suite in suites { list = list.merging(try SuiteCatalog.suite(named: suite).images) }
        return list.references
    }
}
