import Archive
import Foundation
import OCI
import Registry

/// The download side of a relay: a ``BlobTarget`` feeding a ``BlobPipe`` that an upload reads, and,
/// when the user asked for a cache, a cache ingest too. The pipe's last byte goes only once the
/// download verified the blob (``commit()``), so the destination never completes unverified bytes.
final class RelayTarget: BlobTarget, @unchecked Sendable {
    let pipe: BlobPipe
    private let keep: BlobIngest?

    /// `keep`: also write the blob into the cache (`--cache DIR` given): it starts from nothing,
    /// since the upload needs every byte from the first.
    init(pipe: BlobPipe, keepingIn keep: BlobIngest?) throws {
        self.pipe = pipe
        self.keep = keep
        try keep?.restart()
    }

    /// A relay starts from the blob's first byte: nothing held.
    var heldBytes: Int64 { 0 }
    func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {}

    func hasRoom(for count: Int) -> Bool { pipe.hasRoom(for: count) }

    /// Bytes already sent on cannot be taken back: a source that starts the blob over (a 200 to a
    /// `Range`) ends this relay, and the next one starts both sides afresh.
    func restart() throws {
        guard pipe.bytesIn == 0 else { throw RelayRestarted() }
        try keep?.restart()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try pipe.append(bytes)
        try keep?.write(bytes)
    }

    func commit() throws {
        try keep?.commit()
        pipe.finish()
    }

    func discard() {
        keep?.discard()
        pipe.fail("the relayed blob did not verify")
    }
}

/// The source started a relayed blob over; the relay has to start again, both sides.
struct RelayRestarted: Error, CustomStringConvertible {
    var description: String { "the source sent the blob from its start again, after part of it was relayed" }
}
