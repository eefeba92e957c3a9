import ArgumentParser
import Archive
import Foundation
import Mirror
import OCI
import Registry

/// `airgap mirror`: registry → registry (what `oc image mirror` and `skopeo copy` do), or an offline
/// archive → registry; digests preserved, and the OpenShift mirror sets for what was mirrored.
struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Copy images registry to registry (or an archive into a registry), digests preserved.",
        usage: """
            airgap mirror <source> <destination> [<options>]
            airgap mirror -f <mapping> [<options>]
            airgap mirror --from <archive> --to <registry[/prefix]> [<options>]
            """,
        discussion: """
            A DESTINATION with a tag or digest is used as is. Otherwise it is a registry, optionally \
            with a path prefix, and the source's path and tag are kept: registry.example.com/mirror \
            with docker.io/library/busybox:1.29 gives registry.example.com/mirror/library/busybox:1.29.

            Whole image indexes are copied (every platform); --platform copies one platform's image, \
            whose digest is that image's, not the index's. Blobs the destination has are skipped \
            (HEAD), blobs in another repository of the same registry are mounted, the rest relayed \
            to the destination while they download into the verified cache (or sent straight from \
            the archive with --from), largest first. Each image's tag is pushed as soon as its own \
            blobs are in; a rerun finishes what an interrupted run left.

            Examples:
              airgap mirror docker.io/library/busybox:1.29 registry.example.com/mirror
              airgap mirror -f mapping.txt --mirror-sets ./manifests
              airgap mirror --from images.tar --to registry.example.com/mirror
            """
    )

    @Argument(help: ArgumentHelp("The image to copy, e.g. docker.io/library/busybox:1.29.", valueName: "source"))
    var sourceArgument: String?

    @Argument(help: ArgumentHelp(
        "Where to copy it: a registry[/prefix] (the source's path and tag are kept), or a full reference.",
        valueName: "destination"))
    var destinationArgument: String?

    /// SOURCE and DESTINATION as given (none, one or both).
    var images: [String] { [sourceArgument, destinationArgument].compactMap { $0 } }

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp(
        "A mapping file: SOURCE=DESTINATION (or SOURCE DESTINATION) per line, # comments allowed.", valueName: "mapping"))
    var mappingFile: String?

    @Option(name: .customLong("from"), help: ArgumentHelp("Push every image of this offline archive, or of every part a .parts list names (needs --to).", valueName: "archive"))
    var archive: String?

    @Option(name: .customLong("to"), help: ArgumentHelp("The destination registry[/prefix] for --from.", valueName: "registry"))
    var destination: String?

    @Option(help: ArgumentHelp("Copy only this platform's image from indexes.", valueName: "os/arch[/variant]"))
    var platform: String?

    @Option(name: .customLong("mirror-sets"), help: ArgumentHelp(
        "Write ImageDigestMirrorSet, ImageTagMirrorSet and a registries.conf fragment for what was mirrored into this directory.",
        valueName: "dir"))
    var mirrorSetsDirectory: String?

    @Flag(name: .customLong("icsp"), help: "With --mirror-sets, also write an ImageContentSourcePolicy (OpenShift before 4.13).")
    var includeICSP = false

    @Flag(name: .customLong("dry-run"), help: "Print what would be copied, mounted or skipped; write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Transfers in flight at once.", valueName: "n"))
    var jobs: Int = Bundler.defaultJobs

    @Option(help: ArgumentHelp(
        "Keep the copied blobs in this cache for a later bundle (by default blobs are relayed without writing them; cached ones are still used from $XDG_CACHE_HOME/airgap).",
        valueName: "dir"))
    var cache: String?

    @Option(name: .customLong("output"), help: ArgumentHelp("Print the result as text or json.", valueName: "format"))
    var format: RunReport.Format = .text

    @OptionGroup var sides: CopySideOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        let sources = [!images.isEmpty, mappingFile != nil, archive != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give SOURCE DESTINATION, or -f MAPPING, or --from ARCHIVE --to REGISTRY (one of them)") }
        if !images.isEmpty, images.count != 2 { throw ValidationError("give exactly one SOURCE and one DESTINATION (use -f for more)") }
        if (archive == nil) != (destination == nil) { throw ValidationError("--from and --to go together") }
        if let platform {
            do { _ = try Platform(platform) } catch { throw ValidationError("--platform \(platform): \(error)") }
        }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let pairs = try mappingPairs()
            let destinations = try destination.map { [try MirrorDestination($0).registry] } ?? pairs.map(\.destination.domain)
            var (sourceAccess, destinationAccess) = try sides.accesses(
                sources: pairs.map(\.source), destinations: Set(destinations), shared: registry, logger: outputOptions.loggers)
            let display = MirrorProgressDisplay(quiet: outputOptions.quiet || dryRun)
            let retries: @Sendable (String, RetryNotice) -> Void = { subject, notice in display.handle(.retrying(subject: subject, reason: "\(notice)")) }
            sourceAccess.onRetry = retries
            destinationAccess.onRetry = retries
            let mirrorer = Mirrorer(
                source: sourceAccess, destination: destinationAccess, store: try BlobStore(root: cache ?? BlobStore.defaultRoot),
                options: MirrorOptions(platform: try platform.map { try Platform($0) }, jobs: jobs, dryRun: dryRun, keepBlobs: cache != nil),
                events: { display.handle($0) })
            display.start(mirrorer.progress)
            let started = Date()
            let summary: MirrorSummary
            do {
                summary = try await Interruption.cancellingOnSignals(
                    message: "interrupted: the images already mirrored are complete at the destination; run the command again to finish"
                ) {
                    if let archive, let destination {
                        if archive.hasSuffix(ArchiveParts.fileExtension) { return try await mirrorer.mirror(parts: archive, to: destination) }
                        return try await mirrorer.mirror(archive: archive, to: destination)
                    }
                    return await mirrorer.mirror(pairs)
                }
                display.finish()
            } catch {
                display.finish()
                throw error
            }
            try report(summary, elapsed: Date().timeIntervalSince(started))
            if !summary.failures.isEmpty { throw ExitCode.failure }
        }
    }

    private func mappingPairs() throws -> [MirrorPair] {
        if images.count == 2 {
            let source = try ImageReference(images[0])
            return [MirrorPair(source: source, destination: try MirrorDestination.resolve(images[1], for: source))]
        }
        if let mappingFile {
            guard let text = try? String(contentsOfFile: mappingFile, encoding: .utf8) else {
                throw ValidationError("cannot read mapping file \(mappingFile)")
            }
            return try MirrorMapping.parse(text, source: mappingFile)
        }
        return []
    }

    private func report(_ summary: MirrorSummary, elapsed: TimeInterval) throws {
        for failure in summary.failures {
            let message = failure.error.map(ErrorHints.message(for:)) ?? "failed"
            TerminalOutput.errorLine("error: \(failure.source) -> \(failure.destination): \(message)")
        }
        var written: [String]?
        if let mirrorSetsDirectory, !dryRun {
            let mirrored = summary.mirrored.map { MirrorPair(source: $0.source, destination: $0.destination) }
            written = try MirrorSets.write(MirrorSets.entries(for: mirrored), to: mirrorSetsDirectory, includeICSP: includeICSP)
        }
        if format == .json {
            try RunReport.print(RunReport.mirror(summary, dryRun: dryRun, mirrorSets: written, seconds: elapsed))
            return
        }
        if !outputOptions.quiet {
            for image in summary.mirrored { TerminalOutput.line((dryRun ? "would copy " : "copied ") + "\(image.source) -> \(image.destination)") }
        }
        print("""
            \(dryRun ? "dry run: " : "")\(Formatting.count(summary.mirrored.count, "image")) of \(summary.images) mirrored \
            (\(summary.imagesUpToDate) already up to date); blobs: \(summary.blobsUploaded) \(dryRun ? "to upload" : "uploaded") \
            (\(Formatting.bytes(summary.bytesUploaded))), \(summary.blobsMounted) mounted, \(summary.blobsExisting) already there; \
            \(Formatting.seconds(elapsed))
            """)
        if let written { print("wrote " + written.joined(separator: ", ")) }
    }
}
