import Foundation

/// The closing line of a live display: how far the bytes are, how fast they go and how long is
/// left, or that nothing has moved for a while. Kept per display and fed the current count on each
/// redraw, so it can tell a stall from a slow transfer.
struct ByteProgress {
    /// No byte for this long and a transfer is shown as stalled (retries and the stall timeout
    /// act on their own; this only says so).
    static let stallAfter: TimeInterval = 10

    private let started: Date
    private var lastCount: Int64 = 0
    private var lastChange: Date

    init(started: Date = Date()) {
        self.started = started
        lastChange = started
    }

    /// `done` of `total` bytes at `now`: "42% of 1.20 GB, 35.0 MB/s, 12s left", "stalled: no data
    /// for 14s", or just the count and rate while the total is not known yet (`total` 0).
    mutating func line(done: Int64, total: Int64, now: Date = Date()) -> String {
        if done != lastCount {
            lastCount = done
            lastChange = now
        }
        let elapsed = now.timeIntervalSince(started)
        let quiet = now.timeIntervalSince(lastChange)
        var text = total > 0
            ? "\(Int(min(100, Double(done) * 100 / Double(total))))% of \(Formatting.bytes(total))"
            : Formatting.bytes(done)
        text += ", \(Formatting.rate(done, over: elapsed))"
        if done < total, quiet >= Self.stallAfter {
            text += ", stalled: no data for \(Int(quiet))s"
        } else if total > done, done > 0, elapsed > 0 {
            let left = Double(total - done) / (Double(done) / elapsed)
            text += ", \(Formatting.duration(left)) left"
        }
        return text + ", \(Formatting.seconds(elapsed))"
    }
}
