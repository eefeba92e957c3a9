import ArgumentParser
import Foundation
import Inventory

/// `airgap inventory save-suite`: keeps a derived list in the catalog, for `bundle --suite`.
struct SaveSuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save-suite",
        abstract: "Store an image list as a named suite, beside the built-in ones.",
        discussion: """
            The suite is a plain list file, NAME.txt, in the catalog directory; `airgap bundle \
            --suite NAME` and `airgap inventory compare NAME` use it. Built-in names are refused; an \
            existing suite is replaced only with --force.

            Examples:
              airgap inventory save-suite my-conformance --before before --after after
              airgap inventory diff --before before --after after \\
                | airgap inventory save-suite my-conformance
              airgap inventory save-suite my-conformance -f images.txt \\
                --summary "conformance on the lab cluster" --force
            """
    )

    @Argument(help: ArgumentHelp("The suite's name: lowercase letters, digits, '.', '_' and '-'.", valueName: "name"))
    var name: String

    @OptionGroup var source: DerivedListOptions

    @Option(help: ArgumentHelp("One line saying what the suite is (default: where the list came from, and the date).", valueName: "text"))
    var summary: String?

    @Flag(help: "Replace a stored suite of the same name.")
    var force = false

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        do { try StoredSuiteCatalog.validate(name: name) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let (list, origin) = try source.load(quiet: outputOptions.quiet)
            let date = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])
            let path = try catalogOptions.stored.save(
                list.sorted, name: name, summary: summary ?? "\(origin) on \(date)", replacing: force)
            print("saved suite \(name) (\(list.references.count) image\(list.references.count == 1 ? "" : "s")) to \(path)")
        }
    }
}
