import Foundation
import Mirror
import OCI
import Registry

/// Shows mirroring progress on stderr. On a terminal: a line per image in flight (blobs done,
/// bytes sent, bytes/s), redrawn in place, and a line per finished image that stays. Otherwise
/// (logs, CI): one plain line per finished image and per retry. Nothing with `-q`.
final class MirrorProgressDisplay: @unchecked Sendable {
    /// How many in-flight images the live block shows; the rest are counted on its last line.
    private static let visibleImages = 8

    private struct ImageState {
        var image: MirrorImage
        var sent: Int64 = 0
        var firstByte: Date?
        var finished: Date?
        var failure: String?
    }

    private let mode: ProgressMode
    private let lock = NSLock()
    private var states: [ImageState] = []
    /// `repository@digest` of every blob known to be at the destination.
    private var present = Set<String>()
    private var upToDate = 0
    private var permanent: [String] = []
    private var redraw: LiveRedraw?
    private let started = Date()
    private var bytes = ByteProgress()
    private weak var progress: TransferProgress?

    init(quiet: Bool) {
        mode = ProgressMode(quiet: quiet)
    }

    func start(_ progress: TransferProgress) {
        self.progress = progress
        if mode == .live { redraw = LiveRedraw.started { [weak self] in self?.frame() ?? ([], []) } }
    }

    /// Stops the live display and leaves its last frame on screen.
    func finish() {
        redraw?.stop()
        redraw = nil
    }

    func handle(_ event: MirrorEvent) {
        guard mode != .quiet else { return }
        lock.withLock {
            switch event {
            case .planned(let images):
                states = images.map { ImageState(image: $0) }
            case .upToDate(_, let destination):
                upToDate += 1
                say("= \(destination) is up to date")
            case .bytesSent(let position, let count):
                guard states.indices.contains(position) else { return }
                states[position].sent += count
                if states[position].firstByte == nil { states[position].firstByte = Date() }
            case .blobDone(let position, let digest, _):
                guard states.indices.contains(position) else { return }
                present.insert("\(states[position].image.repository)@\(digest)")
            case .imageDone(let position, let failure):
                guard states.indices.contains(position) else { return }
                states[position].finished = Date()
                states[position].failure = failure
                say(failure == nil ? "✓ \(describe(states[position]))" : "✗ \(states[position].image.destination): \(failure ?? "")")
            case .retrying(let subject, let reason):
                say("retrying \(subject): \(reason)")
            }
        }
    }

    // MARK: - Private (under lock)

    /// A line that stays: printed now in plain mode, above the live block on a terminal.
    private func say(_ line: String) {
        if mode == .live {
            permanent.append(line)
        } else {
            FileHandle.standardError.write(Data((VisibleText.escaping(line) + "\n").utf8))
        }
    }

    private func blobsDone(_ state: ImageState) -> Int {
        state.image.blobs.filter { present.contains("\(state.image.repository)@\($0.digest)") }.count
    }

    private func describe(_ state: ImageState) -> String {
        var text = "\(state.image.destination)  \(blobsDone(state))/\(state.image.blobs.count) blobs"
        if state.sent > 0 {
            let since = state.firstByte ?? started
            let seconds = (state.finished ?? Date()).timeIntervalSince(since)
            text += "  \(Formatting.bytes(state.sent)) sent  \(Formatting.rate(state.sent, over: seconds))"
        } else if state.finished != nil {
            text += "  nothing to send"
        }
        return text
    }

    private func frame() -> LiveRedraw.Frame {
        lock.withLock {
            let lines = permanent
            permanent = []
            let active = states.filter { $0.finished == nil && (blobsDone($0) > 0 || $0.sent > 0) }
            var live = active.prefix(Self.visibleImages).map { "↑ " + describe($0) }
            let finished = states.filter { $0.finished != nil }.count
            let waiting = states.count - finished - min(active.count, Self.visibleImages)
            let sent = progress?.bytesSent ?? 0
            var total = "  \(finished + upToDate) of \(states.count + upToDate) images"
            if waiting > 0 { total += " (\(waiting) more waiting)" }
            // Blobs already at the destination are not sent: the total is an upper bound.
            let toSend = states.reduce(Int64(0)) { $0 + $1.image.totalSize }
            total += ", sent " + bytes.line(done: sent, total: toSend)
            live.append(total)
            return (lines, live)
        }
    }
}
