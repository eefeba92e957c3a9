import ArgumentParser
import Archive
import Foundation
import Mirror
import OCI
import Registry

/// `airgap support-tools`: the seed's "oc debug in disconnected environments" step — mirror the
/// support-tools image into the private registry and print how to use it with `oc debug`.
struct SupportToolsCommand: AsyncParsableCommand {
    static let defaultImage = "registry.redhat.io/rhel7/support-tools:latest"

    static let configuration = CommandConfiguration(
        commandName: "support-tools",
        abstract: "Mirror the support-tools image so `oc debug` works offline, and print the --image line to use.",
        discussion: "Copies \(defaultImage) (or --from IMAGE) to REGISTRY/rhel7/support-tools:latest, keeping its path and tag."
    )

    @Option(name: .customLong("to"), help: ArgumentHelp("The private registry (and optional prefix).", valueName: "registry"))
    var destination: String

    @Option(name: .customLong("from"), help: ArgumentHelp("The image to mirror instead of \(defaultImage).", valueName: "image"))
    var source: String = defaultImage

    @Option(help: ArgumentHelp("The blob cache (default $XDG_CACHE_HOME/airgap).", valueName: "dir"))
    var cache: String?

    @OptionGroup var sides: CopySideOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let sourceReference = try ImageReference(source)
            let target = try MirrorDestination.resolve(destination, for: sourceReference)
            var (sourceAccess, destinationAccess) = try sides.accesses(
                sources: [sourceReference], destinations: [target.domain], shared: registry, logger: outputOptions.loggers)
            let display = MirrorProgressDisplay(quiet: outputOptions.quiet)
            let retries: @Sendable (String, RetryNotice) -> Void = { subject, notice in display.handle(.retrying(subject: subject, reason: "\(notice)")) }
            sourceAccess.onRetry = retries
            destinationAccess.onRetry = retries
            let mirrorer = Mirrorer(
                source: sourceAccess, destination: destinationAccess, store: try BlobStore(root: cache ?? BlobStore.defaultRoot),
                options: MirrorOptions(keepBlobs: cache != nil),
                events: { display.handle($0) })
            display.start(mirrorer.progress)
            let summary: MirrorSummary
            do {
                summary = try await Interruption.cancellingOnSignals {
                    await mirrorer.mirror([MirrorPair(source: sourceReference, destination: target)])
                }
                display.finish()
            } catch {
                display.finish()
                throw error
            }
            if let error = summary.failures.first?.error { throw error }
            print("""
                mirrored \(sourceReference) to \(target)

                export TOOLSIMAGE="\(target)"
                oc debug --image="${TOOLSIMAGE}" node/<node>
                """)
        }
    }
}

