import ArgumentParser
import Inventory

/// `airgap inventory compare`: what a new run adds to or drops from a suite.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Show what a new image list adds to or drops from a suite (built-in or stored).",
        discussion: """
            Lines start with + (in the new list only) or - (in the suite only), after a summary line.

            Examples:
              airgap inventory compare my-conformance --before before --after after
              airgap inventory compare openshift-conformance-minimal -f images.txt \\
                --output json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, yaml
    }

    @Argument(help: ArgumentHelp("The suite to compare with.", valueName: "name"))
    var name: String

    @OptionGroup var source: DerivedListOptions

    @Option(help: ArgumentHelp("Print + and - lines (text), json or yaml.", valueName: "format"))
    var output: Format = .text

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let suite = try catalogOptions.lookup.suite(named: name)
            let (list, _) = try source.load(quiet: outputOptions.quiet)
            let comparison = SuiteComparison(suite: suite, against: list)
            switch output {
            case .text: print(comparison.text, terminator: "")
            case .json: print(try InventoryRendering.json(comparison), terminator: "")
            case .yaml: print(try InventoryRendering.yaml(comparison), terminator: "")
            }
        }
    }
}
