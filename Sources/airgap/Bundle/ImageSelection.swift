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
        var list = try Self.parseArguments(images)
        for file in files { list = list.merging(try ImageList.load(contentsOf: file)) }
        // Built-in names resolve first, so their behaviour does not depend on the catalog.
        for suite in suites { list = list.merging(try suiteLookup.suite(named: suite).images) }
        return list.references
    }

    /// Each argument is one reference, parsed as such (not as a line of a list file, whose
    /// comments, quotes and bash arrays mean nothing here). Every bad one is reported at once.
    static func parseArguments(_ arguments: [String]) throws(InvalidImageArguments) -> ImageList {
        var references: [ImageReference] = []
        var problems: [ReferenceError] = []
        for argument in arguments {
            do {
                references.append(try ImageReference(argument))
            } catch {
                problems.append(error)
            }
        }
        guard problems.isEmpty else { throw InvalidImageArguments(problems: problems) }
        return ImageList(references)
    }

    /// The built-in suites and the stored catalog (`--catalog`, else the default folder).
    var suiteLookup: SuiteLookup {
        SuiteLookup(
            stored: StoredSuiteCatalog(
                directory: catalog ?? StoredSuiteCatalog.defaultDirectory(environment: ProcessInfo.processInfo.environment)))
    }
}

/// Image arguments that are not references, each with the rule it breaks (the reference error
/// quotes the argument).
struct InvalidImageArguments: Error, CustomStringConvertible {
    let problems: [ReferenceError]

    var description: String {
        guard problems.count > 1 else { return problems.first.map(String.init(describing:)) ?? "no problem" }
        return "\(problems.count) arguments are not image references: "
            + problems.map(String.init(describing:)).joined(separator: "; ")
    }
}
