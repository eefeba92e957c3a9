import Foundation
import Testing

@testable import airgap

/// The closing line of the live displays: how far, how fast, how long left, or stalled.
@Suite struct ByteProgressTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func aTransferUnderWaySaysHowFarAndHowLongIsLeft() {
        var progress = ByteProgress(started: start)
        let line = progress.line(done: 250_000_000, total: 1_000_000_000, now: start.addingTimeInterval(10))
        #expect(line == "25% of 1.00 GB, 25.0 MB/s, 30s left, 10.0s")
    }

    @Test func noByteForTheStallTimeIsShownAsStalled() {
        var progress = ByteProgress(started: start)
        _ = progress.line(done: 100, total: 1_000, now: start.addingTimeInterval(1))
        #expect(progress.line(done: 100, total: 1_000, now: start.addingTimeInterval(5)).contains("left"))
        #expect(progress.line(done: 100, total: 1_000, now: start.addingTimeInterval(12)).contains("stalled: no data for 11s"))
        #expect(!progress.line(done: 200, total: 1_000, now: start.addingTimeInterval(13)).contains("stalled"))
    }

    @Test func withoutATotalOnlyTheCountAndRate() {
        var progress = ByteProgress(started: start)
        #expect(progress.line(done: 2_000, total: 0, now: start.addingTimeInterval(2)) == "2.00 kB, 1.00 kB/s, 2.00s")
    }

    @Test(arguments: [(5.0, "5s"), (59.2, "1m00s"), (190, "3m10s"), (3_900, "1h05m")])
    func durationsAreCoarse(seconds: Double, text: String) {
        #expect(Formatting.duration(seconds) == text)
    }
}
