import Archive
import ArgumentParser
import Foundation

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
            Every problem is listed, not just the first.

            Exit status: 0 sound (warnings allowed), 1 problems found, 2 unreadable or not a tar.

            Examples:
              airgap verify images.tar
              airgap verify images.tar --output json
            """
    )

    @OptionGroup var archive: ArchiveCommandOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        try archive.validateArchive()
    }

    func run() throws {
        let result: BundleVerification
        do {
            result = try BundleVerifier.verify(archiveAt: archive.path)
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
            print(
                "OK: \(result.images) image\(result.images == 1 ? "" : "s"), \(result.blobs) blobs verified "
                    + "(\(Formatting.bytes(result.bytes)))")
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
}
