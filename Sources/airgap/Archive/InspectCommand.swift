import Archive
import ArgumentParser
import Foundation
import OCI

/// `airgap inspect`: what an offline archive holds, read in one pass without extracting it.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the images of an offline archive and the blobs they share.",
        discussion: """
            Reads the archive once, without extracting it: each image's full name, platforms, layer \
            count and size, and how much the shared layers save. Run `airgap verify` to check every \
            digest.

            Exit status: 0 listed, 1 the archive holds an unsafe entry, 2 unreadable or not a tar.

            Examples:
              airgap inspect images.tar
              airgap inspect images.tar --output json
            """
    )

    @OptionGroup var archive: ArchiveCommandOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        try archive.validateArchive()
    }

    func run() throws {
        let contents = try archive.read()
        let inspection = contents.inspection()
        switch archive.output {
        case .json:
            print(try ArchiveCommandOptions.json(inspection))
        case .text:
            print(Self.render(inspection))  // escaped cell by cell
            if contents.index.value == nil {
                ArchiveCommandOptions.printToStandardError(
                    "warning: \(archive.path) has no readable index.json, so no image is listed; run airgap verify \(archive.path)")
            }
        }
    }

    /// A heading line, a table of images (as `podman images` lays them out) and a line on sharing.
    static func render(_ inspection: BundleInspection) -> String {
        let count = inspection.images.count
        var lines = [
            "\(VisibleText.escaping(inspection.archive)): \(count) image\(count == 1 ? "" : "s"), \(inspection.blobs) blobs, "
                + "\(Formatting.bytes(inspection.blobBytes)) (archive \(Formatting.bytes(inspection.archiveBytes)))"
        ]
        if !inspection.images.isEmpty {
            let rows =
                [["REFERENCE", "PLATFORMS", "LAYERS", "SIZE", "DIGEST"]]
                + inspection.images.map { image in
                    [
                        image.reference, image.platforms.joined(separator: ","), "\(image.layers)",
                        Formatting.bytes(image.bytes), String(image.digest.encoded.prefix(12)),
                    ].map(VisibleText.escaping)
                }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            lines.append("")
            for row in rows {
                let cells = row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }
                lines.append(cells.joined(separator: "  "))
            }
        }
        if let delta = inspection.delta {
            let names = delta.bases.map { VisibleText.escaping($0.name) }.joined(separator: ", ")
            lines.append("")
            lines.append(
                "delta of \(names.isEmpty ? "unnamed bases" : names): \(Formatting.count(delta.leftOutLayers, "layer")) "
                    + "(\(Formatting.bytes(delta.leftOutBytes))) left out; load or mirror \(names.isEmpty ? "the base" : names) first")
        }
        let sharing = inspection.sharing
        if sharing.blobs > 0 {
            lines.append("")
            lines.append(
                "shared: \(sharing.blobs) blob\(sharing.blobs == 1 ? "" : "s") (\(Formatting.bytes(sharing.bytes))) "
                    + "used by more than one image, stored once: \(Formatting.bytes(sharing.savedBytes)) saved")
        }
        return lines.joined(separator: "\n")
    }
}

/// The archive argument and `--output`, shared by `inspect` and `verify`; also where their read
/// failures become exit statuses.
struct ArchiveCommandOptions: ParsableArguments {
    /// How `inspect` and `verify` print their result.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// 1: the archive was read and something is wrong with it.
    static let problemsFound = ExitCode(1)
    /// 2: the archive could not be read at all.
    static let unreadable = ExitCode(2)

    @Argument(help: ArgumentHelp("The offline archive (a plain tar written by airgap bundle).", valueName: "archive"))
    var path: String

    @Option(help: ArgumentHelp("Print the result as text or json.", valueName: "format"))
    var output: Format = .text

    /// The archive must be a readable file; reported here, before any work, with exit status 2.
    func validateArchive() throws {
        var isDirectory: ObjCBool = false
        let reason: String? =
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                "no such file"
            } else if isDirectory.boolValue {
                "it is a directory; name the archive file, e.g. images.tar"
            } else if !FileManager.default.isReadableFile(atPath: path) {
                "permission denied"
            } else {
                nil
            }
        if let reason {
            Self.printToStandardError("error: cannot read \(path): \(reason)")
            throw Self.unreadable
        }
    }

    /// Reads the archive, turning read failures into `error: …` and exit status 2 (1 for an unsafe
    /// entry: the archive was readable, and is refused).
    func read() throws -> BundleContents {
        do {
            return try BundleReader(path: path).read()
        } catch {
            Self.printToStandardError("error: \(error)")
            throw error.isUnsafeEntry ? Self.problemsFound : Self.unreadable
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Writes a line to stderr after flushing stdout, so that on a terminal it comes after
    /// everything printed before it.
    static func printToStandardError(_ line: String) {
        TerminalOutput.errorLine(line)
    }
}

extension BundleReadError {
    fileprivate var isUnsafeEntry: Bool {
        if case .unsafeEntry = self { true } else { false }
    }
}
