import ArgumentParser
import Archive
import Foundation
import Inventory
import Mirror
import OCI
import Registry

/// `airgap bundle`: the seed's podman pull + podman save + tar, as one archive every loader reads.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Pull images from registries into one offline archive that podman, docker and containerd load.",
        discussion: """
            The archive is one plain tar that is both an OCI image layout and a docker archive, with \
            each blob stored once: `podman load -i images.tar` (or `docker load`, or \
            `ctr images import`) loads every image in one call, under its full name.

            Blobs are cached (--cache) and verified before use; a second run transfers only what \
            changed, and an interrupted download resumes where it stopped.

            Examples:
              airgap bundle --suite openshift-conformance-minimal -o images.tar
              airgap bundle -f images.txt --platform linux/arm64 -o images.tar
              airgap bundle busybox:1.29 --mirror docker.io=127.0.0.1:5000 --tls-verify=false -o images.tar
            """
    )

    @OptionGroup var selection: ImageSelection

    @Option(name: .shortAndLong, help: ArgumentHelp("The archive to write (written to a temporary name and renamed when complete).", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("list-suites"), help: "List the suites --suite knows (built-in and stored) and exit.")
    var listSuites = false

    @Option(help: ArgumentHelp("The platform to take from multi-platform images (default linux/amd64).", valueName: "os/arch[/variant]"))
    var platform: String?

    @Flag(name: .customLong("all-platforms"), help: "Keep every platform of multi-platform images (the docker view lists --platform's).")
    var allPlatforms = false

    @Option(help: ArgumentHelp("Blob transfers in flight at once.", valueName: "n"))
    var jobs: Int = Bundler.defaultJobs

    @Option(help: ArgumentHelp("The blob cache, an OCI layout directory (default $XDG_CACHE_HOME/airgap).", valueName: "dir"))
    var cache: String?

    @OptionGroup var registry: RegistryOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if listSuites { return }
        guard output != nil else { throw ValidationError("name the archive to write with -o FILE, e.g. -o images.tar") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        if let platform {
            do { _ = try Platform(platform) } catch { throw ValidationError("--platform \(platform): \(error)") }
        }
    }

    func run() async throws {
        if listSuites {
            try await CommandFailure.reporting {
                for suite in try selection.suiteLookup.all() {
                    print("\(suite.name.padding(toLength: 48, withPad: " ", startingAt: 0)) \(suite.images.references.count) images")
                }
            }
            return
        }
        try await CommandFailure.reporting {
            let references = try selection.resolve()
            let chosen = try platform.map { try Platform($0) } ?? .default
            let options = BundleOptions(platform: allPlatforms ? nil : chosen, dockerPlatform: chosen, jobs: jobs)
            let store = try BlobStore(root: cache ?? BlobStore.defaultRoot)
            let display = BundleProgressDisplay(quiet: outputOptions.quiet)
            let bundler = Bundler(
                access: try registry.access(pulling: references, logger: outputOptions.loggers), store: store, options: options,
                events: { display.handle($0) }
            )
            display.start(bundler.progress)
            let started = Date()
            let output = output ?? "images.tar"
            let summary: BundleSummary
            do {
                summary = try await Interruption.cancellingOnSignals(
                    message: "interrupted: nothing was written to the output", returnIsCompletion: true
                ) { try await bundler.bundle(references, to: output) }
                display.finish()
            } catch {
                display.finish()
                throw error
            }
            let elapsed = Date().timeIntervalSince(started)
            print("""
                wrote \(summary.output): \(Formatting.count(summary.images, "image")), \(Formatting.count(summary.blobs, "blob")) \
                (\(summary.sharedBlobs) shared), \(Formatting.bytes(summary.bytes)) in \(Formatting.seconds(elapsed)); \
                fetched \(Formatting.count(summary.blobsFetched, "blob")) (\(Formatting.bytes(summary.bytesFetched)), \
                \(Formatting.rate(summary.bytesFetched, over: elapsed))), \(summary.blobsFromCache) from cache
                """)
        }
    }
}
