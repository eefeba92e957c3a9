import Foundation
import Mirror
import OCI
import Registry

/// Shows bundling progress on stderr: a live table redrawn in place on a terminal, one plain line
/// per finished step otherwise (logs, CI), nothing with `-q`.
final class BundleProgressDisplay: @unchecked Sendable {
    private let mode: ProgressMode
    private let lock = NSLock()
    private var images: [ResolvedImage] = []
    private var written = Set<Digest>()
    private var finishedImages = Set<Int>()
    /// Lines that stay, waiting to be printed above the live block (terminal only).
    private var permanent: [String] = []
    private var redraw: LiveRedraw?
    private let started = Date()
    private var totalBytes: Int64 = 0
    private var warnedAboutCache = false
    private var bytes = ByteProgress()
    private weak var progress: TransferProgress?

    init(quiet: Bool) {
        mode = ProgressMode(quiet: quiet)
    }

    func start(_ progress: TransferProgress) {
        self.progress = progress
        if mode == .live { redraw = LiveRedraw.started { [weak self] in self?.frame() ?? ([], []) } }
    }

    func handle(_ event: BundleEvent) {
        lock.withLock {
            switch event {
            case .resolved(let image):
                images.append(image)
                if mode == .lines {
                    let platforms = image.platforms.map(\.description).joined(separator: ",")
                    emit("resolved \(image.reference) → \(image.top.digest) \(platforms.isEmpty ? "" : "(\(platforms)) ")from \(image.source.name)")
                }
            case .blobWritten(let descriptor):
                written.insert(descriptor.digest)
                reportFinishedImages()
            case .unresolved(let reference, let reason):
                if mode != .quiet { emit("✗ \(reference): \(reason)") }
            case .planned(let total):
                totalBytes = total
            case .retrying(let subject, let reason):
                if mode != .quiet { emit("retrying \(subject): \(reason)") }
            case .notCached(let descriptor, let reason):
                if mode != .quiet, !warnedAboutCache {
                    warnedAboutCache = true
                    emit("warning: blob \(descriptor.digest) (and maybe more) was not kept in the cache: \(reason); the archive is complete. Give the cache room, or choose another with --cache DIR")
                }
            case .blobCached, .blobFetched:
                break
            }
        }
    }

    /// Stops the live display and leaves its last frame on screen.
    func finish() {
        redraw?.stop()
        redraw = nil
    }

    // MARK: - Private (under lock)

    private func reportFinishedImages() {
        for (position, image) in images.enumerated() where !finishedImages.contains(position) {
            guard image.blobs.allSatisfy({ written.contains($0.digest) }) else { continue }
            finishedImages.insert(position)
            if mode == .lines { emit("bundled \(image.reference) (\(image.blobs.count) blobs, \(Formatting.bytes(image.totalSize)))") }
        }
    }

    /// A line that stays: printed now in plain mode; on a terminal above the live block at its
    /// next redraw (written straight away, it would be overwritten by the block).
    private func emit(_ line: String) {
        if mode == .live {
            permanent.append(line)
        } else {
            FileHandle.standardError.write(Data((VisibleText.escaping(line) + "\n").utf8))
        }
    }

    private func frame() -> LiveRedraw.Frame {
        lock.withLock {
            let above = permanent
            permanent = []
            var lines: [String] = []
            for (position, image) in images.enumerated() {
                let done = image.blobs.filter { written.contains($0.digest) }.count
                let mark = finishedImages.contains(position) ? "✓" : "↓"
                lines.append(" \(mark) \(image.reference)  \(done)/\(image.blobs.count) blobs  \(Formatting.bytes(image.totalSize))")
            }
            // Bytes into the archive (fetched or from the cache) against the archive's total.
            let archived = progress?.bytesWritten ?? 0
            let fetched = progress?.bytesFetched ?? 0
            lines.append("   \(bytes.line(done: archived, total: totalBytes)); \(Formatting.bytes(fetched)) fetched")
            return (above, lines)
        }
    }
}
