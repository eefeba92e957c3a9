import Foundation
import OCI
import Registry

/// Something worth telling the user while bundling. Delivered from many tasks at once: handlers
/// must be thread-safe.
public enum BundleEvent: Sendable {
    case resolved(ResolvedImage)
    /// An image that cannot be resolved (the run reports them all at the end).
    case unresolved(ImageReference, reason: String)
    /// Every image is resolved: the archive will hold `totalBytes` of blobs and manifests.
    case planned(totalBytes: Int64)
    /// A blob was already in the cache: nothing transferred.
    case blobCached(Descriptor)
    case blobFetched(Descriptor)
    /// A blob is in the archive; `image` names the first image that needed it.
    case blobWritten(Descriptor)
    case retrying(subject: String, reason: String)
    /// A blob in the archive could not be kept in the cache (its disk is full, say): this run is
    /// not affected, the next one fetches it again.
    case notCached(Descriptor, reason: String)
}

/// Live byte counters, read by a progress display on its own clock while transfers add to them.
public final class TransferProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var _bytesFetched: Int64 = 0
    private var _bytesWritten: Int64 = 0
    private var _bytesSent: Int64 = 0

    public init() {}

    public var bytesFetched: Int64 { lock.withLock { _bytesFetched } }
    public var bytesWritten: Int64 { lock.withLock { _bytesWritten } }
    /// Bytes uploaded to destination registries (mirror); a failed attempt's bytes are taken back.
    public var bytesSent: Int64 { lock.withLock { _bytesSent } }

    func addFetched(_ count: Int) { lock.withLock { _bytesFetched += Int64(count) } }
    func addWritten(_ count: Int64) { lock.withLock { _bytesWritten += count } }
    func addSent(_ count: Int64) { lock.withLock { _bytesSent += count } }
}
