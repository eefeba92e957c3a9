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
            changed, and an interrupted download resumes where it stopped. Every archive gets \
            FILE.sha256 beside it, for `sha256sum -c` on the far side of a transfer.

            --max-size splits the images into parts NAME-1.tar, NAME-2.tar, … that each fit the \
            medium and each load alone; NAME.parts lists them (`airgap verify NAME.parts`). \
            --since OLD.tar writes a delta: the same images, without the layers OLD.tar holds; \
            load (or mirror) OLD.tar first.

            Examples:
              airgap bundle --suite openshift-conformance-minimal -o images.tar
              airgap bundle -f images.txt --platform linux/arm64 -o images.tar
              airgap bundle -f images.txt --max-size 4000M -o images.tar
              airgap bundle -f images.txt --since images-may.tar -o images-june.tar
              airgap bundle busybox:1.29 --mirror docker.io=127.0.0.1:5000 \\
                --tls-verify=false -o images.tar
            """
    )

    @OptionGroup var selection: ImageSelection

    // `-o FILE` as podman save has it; the long name is --archive, so that --output means the
    // format of the result here as in every other command.
    @Option(name: [.customShort("o"), .customLong("archive")], help: ArgumentHelp(
        "The archive to write (written to a temporary name and renamed when complete).", valueName: "file"))
    var output: String?

    @Option(name: .customLong("output"), help: ArgumentHelp("Print the result as text or json (the archive itself is -o FILE).", valueName: "format"))
    var format: RunReport.Format = .text

    @Option(name: .customLong("max-size"), help: ArgumentHelp(
        "Split into parts FILE-1.tar, FILE-2.tar, … of at most this size (4G, 4000M, 4.7GB), each a complete archive.",
        valueName: "size"))
    var maxSize: ByteSize?

    @Option(name: .customLong("since"), help: ArgumentHelp(
        "Write a delta that leaves out every layer this earlier archive (or its .parts list) holds; repeatable.",
        valueName: "archive"))
    var since: [String] = []

    @Flag(name: .customLong("keep-going"), help: "Write the archive of the images that resolve when some do not; list those, and exit 1.")
    var keepGoing = false

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
        if let output {
            let written = URL(fileURLWithPath: output).standardizedFileURL.path
            for base in since where URL(fileURLWithPath: base).standardizedFileURL.path == written {
                throw ValidationError("--since \(base) is the archive -o would overwrite; write the delta to a new name")
            }
        }
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
            // An output that cannot be written, or a base that cannot be read, is said before anything
            // else is touched (the cache included).
            try BundleFile.checkDestination(output ?? "images.tar")
            let bases = try DeltaBases.read(since)
            let options = BundleOptions(
                platform: allPlatforms ? nil : chosen, dockerPlatform: chosen, jobs: jobs, keepGoing: keepGoing,
                maxPartSize: maxSize?.bytes, since: bases)
            let store = try BlobStore(root: cache ?? BlobStore.defaultRoot)
            let display = BundleProgressDisplay(quiet: outputOptions.quiet)
            var access = try registry.access(pulling: references, logger: outputOptions.loggers)
            access.onRetry = { subject, notice in display.handle(.retrying(subject: subject, reason: "\(notice)")) }
            let bundler = Bundler(access: access, store: store, options: options, events: { display.handle($0) })
            display.start(bundler.progress)
            let started = Date()
            let output = output ?? "images.tar"
            let summary: BundleSummary
            do {
                summary = try await Interruption.cancellingOnSignals(
                    message: "interrupted: nothing was written to the output; run the same command again to resume (what was downloaded is in the cache)",
                    returnIsCompletion: true
                ) { try await bundler.bundle(references, to: output) }
                display.finish()
            } catch BundleError.unresolved(let failures, let total) where format == .json {
                display.finish()
                try RunReport.print(RunReport.bundle(failures: failures, seconds: Date().timeIntervalSince(started)))
                FileHandle.standardError.write(Data("error: \(failures.count) of \(total) images cannot be bundled; nothing was written\n".utf8))
                throw ExitCode.failure
            } catch {
                display.finish()
                throw error
            }
            let elapsed = Date().timeIntervalSince(started)
            for failure in summary.failures {
                FileHandle.standardError.write(Data("error: left out \(failure.reference): \(ErrorHints.message(for: failure.error))\n".utf8))
            }
            if format == .json {
                try RunReport.print(RunReport.bundle(summary, seconds: elapsed))
            } else {
                print(Self.describe(summary, elapsed: elapsed, maxSize: maxSize))
            }
            for stale in summary.staleParts {
                FileHandle.standardError.write(Data("warning: \(stale) is from an earlier run and not part of this set; remove it\n".utf8))
            }
            if !summary.failures.isEmpty { throw ExitCode.failure }
        }
    }

    /// The closing summary: what was written, what it holds, and for parts and deltas what they mean.
    static func describe(_ summary: BundleSummary, elapsed: Double, maxSize: ByteSize?) -> String {
        let what = summary.partsList.map { list in
            "\(Formatting.count(summary.archives.count, "part")) of at most \(maxSize?.description ?? "?") (listed in \(list))"
        } ?? summary.output
        var lines = ["""
            wrote \(what): \(Formatting.count(summary.images, "image")), \(Formatting.count(summary.blobs, "blob")) \
            (\(summary.sharedBlobs) shared), \(Formatting.bytes(summary.bytes)) in \(Formatting.seconds(elapsed)); \
            fetched \(Formatting.count(summary.blobsFetched, "blob")) (\(Formatting.bytes(summary.bytesFetched)), \
            \(Formatting.rate(summary.bytesFetched, over: elapsed))), \(summary.blobsFromCache) from cache\
            \(summary.failures.isEmpty ? "" : "; \(summary.failures.count) left out")
            """]
        if summary.partsList != nil {
            lines.append("the parts take \(Formatting.bytes(summary.archives.reduce(0) { $0 + $1.size })) together:")
            for archive in summary.archives {
                lines.append("  \(archive.path)  \(Formatting.bytes(archive.size))  \(Formatting.count(archive.images.count, "image"))")
            }
            lines.append(summary.repeatedBytes == 0
                ? "no layer is repeated across parts; the split adds \(Formatting.bytes(summary.splitAddedBytes)) of headers"
                : "the split adds \(Formatting.bytes(summary.splitAddedBytes)): \(Formatting.bytes(summary.repeatedBytes)) of layers "
                    + "shared by images in different parts are stored in each")
        }
        if !summary.bases.isEmpty {
            let names = summary.bases.map(\.name).joined(separator: ", ")
            lines.append("""
                delta: left out \(Formatting.count(summary.omittedBlobs, "layer")) (\(Formatting.bytes(summary.omittedBytes))) \
                that \(names) \(summary.bases.count == 1 ? "holds" : "hold"); load or mirror \(names) first
                """)
        }
        let sidecars = summary.archives.count == 1 ? ChecksumFile.path(for: summary.archives[0].path) : "each part's .sha256 file"
        lines.append("checksums: \(sidecars) (sha256sum -c)")
        return lines.joined(separator: "\n")
    }
}
