/// Where a blob download puts its bytes: a file in the cache, a slot in an archive, a relay that an
/// upload reads while it lands.
///
/// The downloader owns everything around the bytes — the request, `Range` and resume, retries, and
/// the size and digest check — so a target only keeps bytes: it holds what earlier attempts wrote,
/// takes the next ones, and makes them permanent when told the whole blob verified. Nothing a target
/// holds is trusted before ``commit()``.
public protocol BlobTarget: AnyObject, Sendable {
    /// How many bytes earlier attempts left (0 for none): the download asks for the rest.
    var heldBytes: Int64 { get }
    /// Feeds the held bytes, in order, to `body`: the downloader hashes them before it resumes, so
    /// its digest covers the whole blob.
    func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Drops what is held: the next write is the blob's first byte.
    func restart() throws
    /// The next bytes of the blob.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Every byte is in and matches the descriptor's size and digest: keep them.
    func commit() throws
    /// The bytes failed verification and the download fails: drop them, so that nothing ever
    /// resumes from them. The target is not used again.
    func discard()
    /// Whether `count` more bytes can be taken now; a target that says no (a relay whose upload
    /// lags) has the download paused until it has room.
    func hasRoom(for count: Int) -> Bool
}

extension BlobTarget {
    public func hasRoom(for count: Int) -> Bool { true }
}
