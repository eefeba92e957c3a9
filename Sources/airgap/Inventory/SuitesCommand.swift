import ArgumentParser
import Inventory

/// `airgap inventory suites`: the built-in suites and the stored ones.
struct SuitesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suites",
        abstract: "List the built-in suites and the ones stored with save-suite.",
        discussion: """
            Examples:
              airgap inventory suites
              airgap inventory suites --output json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, yaml
    }

    /// One suite as json and yaml show it.
    struct Entry: Encodable {
        var name: String
        var summary: String
        var builtIn: Bool
        var path: String?
        var images: [String]
    }

    @Option(help: ArgumentHelp("Print a table (text), json or yaml.", valueName: "format"))
    var output: Format = .text

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let suites = try catalogOptions.lookup.all()
            let entries = suites.map {
                Entry(
                    name: $0.name, summary: $0.summary, builtIn: $0.isBuiltIn, path: $0.path,
                    images: $0.images.references.map(\.description))
            }
            switch output {
            case .json: print(try InventoryRendering.json(entries), terminator: "")
            case .yaml: print(try InventoryRendering.yaml(entries), terminator: "")
            case .text: print(Self.table(suites), terminator: "")
            }
        }
    }

    /// NAME, IMAGES, SOURCE (built-in or the file) and SUMMARY columns, as `podman images` lays out.
    static func table(_ suites: [Suite]) -> String {
        let rows =
            [["NAME", "IMAGES", "SOURCE", "SUMMARY"]]
            + suites.map { [$0.name, "\($0.images.references.count)", $0.path ?? "built-in", $0.summary] }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}
