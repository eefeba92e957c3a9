import Archive
import ArgumentParser
import Foundation
import OCI

/// `airgap verify`: every digest and size of an offline archive, and the agreement of its OCI and
/// docker views, checked in one pass before the archive is carried across the air gap.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every digest, size and reference in an offline archive.",
        discussion: """
            Hashes every blob and checks it against its name and every descriptor that points at \
            it; checks that the OCI layout (index.json) and the docker archive (manifest.json) are \
            complete and name the same images; and refuses links, absolute names and `..` entries. \
            Every problem is listed, not just the first. When FILE.sha256 is beside the archive, \
            the whole file is checked against it in the same pass.

            A NAME.parts list (bundle --max-size) verifies every part and the set. A delta \
            (bundle --since) is checked on its own; --base OLD.tar also checks that OLD.tar holds \
            every layer the delta left out.

            Exit status: 0 sound (warnings allowed), 1 problems found, 2 unreadable or not a tar.

            Examples:
              airgap verify images.tar
              airgap verify images.tar --output json
              airgap verify images.parts
              airgap verify --base images-may.tar images-june.tar
            """
    )

    @OptionGroup var archive: ArchiveCommandOptions

    @Option(name: .customLong("base"), help: ArgumentHelp(
        "For a delta: an archive (or .parts list) it was made against; checks it holds every left-out layer. Repeatable.",
        valueName: "archive"))
    var bases: [String] = []

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        try archive.validateArchive()
    }

    func run() throws {
        let basePaths: [String]
        do {
            basePaths = try bases.flatMap { base in
                base.hasSuffix(ArchiveParts.fileExtension) ? try ArchiveParts.read(base).archivePaths(relativeTo: base) : [base]
            }
        } catch {
            ArchiveCommandOptions.printToStandardError("error: \(error)")
            throw ArchiveCommandOptions.unreadable
        }
        if archive.path.hasSuffix(ArchiveParts.fileExtension) {
            try verifyParts(bases: basePaths)
            return
        }
        let result: BundleVerification
        do {
            result = try BundleVerifier.verify(archiveAt: archive.path, bases: basePaths)
        } catch {
            ArchiveCommandOptions.printToStandardError("error: \(error)")
            throw ArchiveCommandOptions.unreadable
        }
        switch archive.output {
        case .json:
            print(try ArchiveCommandOptions.json(result))
        case .text:
            printText(result)
        }
        if !result.valid { throw ArchiveCommandOptions.problemsFound }
    }

    /// `OK: …` on stdout with warnings on stderr; or every problem on stdout and the first error
    /// on stderr, last, where it is seen.
    private func printText(_ result: BundleVerification) {
        if result.valid {
            if !outputOptions.quiet {
                result.warnings.forEach { ArchiveCommandOptions.printToStandardError($0.description) }
            }
            print(Self.okLine(result))
            if let delta = Self.deltaLine(result) { print(delta) }
            return
        }
        let errors = result.errors.count
        let warnings = result.warnings.count
        var heading = "\(result.archive): \(errors) error\(errors == 1 ? "" : "s")"
        if warnings > 0 { heading += ", \(warnings) warning\(warnings == 1 ? "" : "s")" }
        TerminalOutput.line(heading)
        for problem in result.problems where !outputOptions.quiet || problem.severity == .error {
            TerminalOutput.line("  \(problem)")
        }
        if let first = result.errors.first {
            ArchiveCommandOptions.printToStandardError("error: \(first.message)")
        }
    }

    /// `OK: 3 images, 12 blobs verified (1.1 MB); the whole file matches images.tar.sha256`.
    static func okLine(_ result: BundleVerification) -> String {
        var line = "OK: \(Formatting.count(result.images, "image")), \(result.blobs) blobs verified (\(Formatting.bytes(result.bytes)))"
        if let file = result.checksumFile { line += "; the whole file matches \(VisibleText.escaping(file))" }
        return line
    }

    /// What a delta relies on, and whether that was checked.
    static func deltaLine(_ result: BundleVerification) -> String? {
        guard let delta = result.delta else { return nil }
        let names = delta.bases.map { VisibleText.escaping($0.name) }.joined(separator: ", ")
        let what = "delta of \(names.isEmpty ? "unnamed bases" : names): \(Formatting.count(delta.leftOutLayers, "layer")) (\(Formatting.bytes(delta.leftOutBytes))) left out"
        if delta.checkedAgainst.isEmpty {
            return "\(what), not checked here (airgap verify --base \(delta.bases.first.map { VisibleText.escaping($0.name) } ?? "BASE.tar") \(VisibleText.escaping(result.archive)) checks them)"
        }
        return "\(what), each found intact in \(delta.checkedAgainst.map(VisibleText.escaping).joined(separator: ", "))"
    }

    /// `verify NAME.parts`: each part, then the set.
    private func verifyParts(bases: [String]) throws {
        let result: PartsVerification
        do {
            result = try PartsVerifier.verify(listAt: archive.path, bases: bases)
        } catch {
            ArchiveCommandOptions.printToStandardError("error: \(error)")
            throw ArchiveCommandOptions.unreadable
        }
        if archive.output == .json {
            print(try ArchiveCommandOptions.json(result))
        } else {
            for part in result.parts {
                if part.valid {
                    print("\(VisibleText.escaping(part.archive)): \(Self.okLine(part))")
                    if let delta = Self.deltaLine(part) { print("  \(delta)") }
                } else {
                    print("\(VisibleText.escaping(part.archive)): \(Formatting.count(part.errors.count, "error"))")
                    for problem in part.problems where !outputOptions.quiet || problem.severity == .error {
                        print("  \(problem)")
                    }
                }
            }
            for problem in result.problems { print(problem) }
            if result.valid {
                print("OK: all \(Formatting.count(result.parts.count, "part")) of \(VisibleText.escaping(archive.path)), \(Formatting.count(result.images, "image"))")
            } else if let first = result.problems.first ?? result.parts.flatMap(\.errors).first {
                ArchiveCommandOptions.printToStandardError("error: \(first.message)")
            }
        }
        if !result.valid { throw ArchiveCommandOptions.problemsFound }
    }
}
