import Foundation
import OCI

/// The content-addressed cache: an OCI image layout directory (`oci-layout`, `index.json`,
/// `blobs/sha256/<hex>`) plus `ingest/` for downloads in progress.
///
/// A blob enters `blobs/` only through ``BlobIngest/commit()`` (after the downloader verified it) or
/// ``store(_:as:)``, which verifies it; and nothing leaves unverified either: small blobs are hashed
/// on every read (``readVerified(_:)``), large ones as they are copied into an archive or uploaded.
/// Damage after entry (bit rot, a crash, tampering) is caught there, the entry evicted, and the
/// caller fetches the blob again.
/// Renames are atomic, so concurrent processes sharing a cache never see a half-written blob.
public final class BlobStore: Sendable {
    public let root: String

    /// Opens (creating if needed) the cache at `root`.
    public init(root: String) throws {
        self.root = root
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: root + "/" + BundleLayout.sha256Directory, withIntermediateDirectories: true)
            try manager.createDirectory(atPath: ingestDirectory, withIntermediateDirectories: true)
        } catch {
            throw BlobStoreError.unusable(root: root, reason: "\(error.localizedDescription)")
        }
        try writeIfAbsent(BundleLayout.ociLayoutFile, BundleLayout.ociLayoutContents)
        try writeIfAbsent(BundleLayout.ociIndexFile, Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8))
    }

    /// The default location: `$XDG_CACHE_HOME/airgap`, else `~/.cache/airgap`.
    public static var defaultRoot: String {
        let environment = ProcessInfo.processInfo.environment
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return cache + "/airgap" }
        return NSHomeDirectory() + "/.cache/airgap"
    }

    var ingestDirectory: String { root + "/ingest" }

    public func path(for digest: Digest) -> String {
        root + "/" + BundleLayout.blobPath(digest)
    }

    /// Whether the cache holds `descriptor`'s blob (verified when it entered; the size guards against
    /// a descriptor that lies about it).
    public func contains(_ descriptor: Descriptor) -> Bool {
        var info = stat()
        return stat(path(for: descriptor.digest), &info) == 0 && Int64(info.st_size) == descriptor.size
    }

    /// Stores small content already in memory (manifests, indexes) after checking its digest.
    public func store(_ data: Data, as descriptor: Descriptor) throws {
        let actual = Digest.compute(of: data)
        guard actual == descriptor.digest else {
            throw BlobStoreError.mismatchedContent(digest: descriptor.digest, actual: actual)
        }
        guard !contains(descriptor) else { return }
        let temporary = "\(ingestDirectory)/\(descriptor.digest.encoded).\(UUID().uuidString.prefix(8))"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            try moveIntoPlace(temporary, descriptor.digest)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Reads a small blob (a manifest or config) and checks its digest: a copy that changed since
    /// it entered (and still decodes) must not be trusted. A damaged copy is evicted, so the caller
    /// can fetch the blob again; ``BlobStoreError/damagedCopy(digest:actual:)`` says so.
    public func readVerified(_ digest: Digest, limit: Int = ManifestDocument.sizeLimit) throws -> Data {
        let data = try read(digest, limit: limit)
        let actual = Digest.compute(of: data)
        guard actual == digest else {
            evict(digest)
            throw BlobStoreError.damagedCopy(digest: digest, actual: actual)
        }
        return data
    }

    /// Reads a small blob, refusing more than `limit` bytes, without checking it: for callers that
    /// verify what they read themselves.
    func read(_ digest: Digest, limit: Int = ManifestDocument.sizeLimit) throws -> Data {
        let path = path(for: digest)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BlobStoreError.unusable(root: root, reason: "blob \(digest) is not in the cache")
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        guard data.count <= limit else {
            throw BlobStoreError.unusable(root: root, reason: "blob \(digest) is larger than \(limit) bytes")
        }
        return data
    }

    /// Whether the cached copy of `descriptor` is the blob: trusted through its verified stamp when
    /// the file has not changed since it was verified (``VerifiedStamp``), hashed whole otherwise
    /// (and stamped). A damaged copy is evicted, and `false` says to fetch it again.
    public func verifiedCopy(_ descriptor: Descriptor) throws -> Bool {
        if hasValidStamp(descriptor) { return true }
        guard try verify(descriptor) else { return false }
        stamp(descriptor.digest)
        return true
    }

    /// Hashes the cached copy of `descriptor` whole: `true` when it is the blob; otherwise the copy
    /// is evicted and `false` says to fetch it again. Nothing leaves the cache unverified.
    public func verify(_ descriptor: Descriptor) throws -> Bool {
        let path = path(for: descriptor.digest)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var digester = SHA256Digester()
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw BlobStoreError.io(path: path, operation: "read", errno: errno) }
            if count == 0 { break }
            digester.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        guard digester.byteCount == descriptor.size, digester.finalize() == descriptor.digest else {
            evict(descriptor.digest)
            return false
        }
        return true
    }

    /// Removes a blob found corrupt, so the next run fetches it again.
    public func evict(_ digest: Digest) {
        removeStamp(digest)
        unlink(path(for: digest))
    }

    /// Keeps a verified blob from an archive slot: copied by the kernel from the archive into the
    /// cache (no pass through this process), renamed into place, stamped. Best effort for the
    /// caller: the archive does not depend on it.
    public func keep(_ slot: ArchiveSlot) throws {
        let descriptor = slot.descriptor
        guard slot.isComplete, !contains(descriptor) else { return }
        let temporary = "\(ingestDirectory)/\(descriptor.digest.encoded).\(getpid())-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BlobStoreError.io(path: temporary, operation: "create", errno: errno) }
        do {
            try slot.copy(to: fd)
            close(fd)
            try moveIntoPlace(temporary, descriptor.digest)
            stamp(descriptor.digest)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        unlink("\(ingestDirectory)/\(descriptor.digest.encoded).partial")
    }

    /// Saves what a cut download wrote into an archive slot as the blob's partial file, so that the
    /// next run resumes after it instead of fetching it all again.
    public func keepPartial(_ slot: ArchiveSlot) {
        guard !slot.isComplete, slot.heldBytes > 0, !contains(slot.descriptor) else { return }
        let partial = "\(ingestDirectory)/\(slot.descriptor.digest.encoded).partial"
        if let existing = partialLength(slot.descriptor), existing >= slot.heldBytes { return }
        let temporary = "\(partial).\(getpid())-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let copied = (try? slot.copy(to: fd)) != nil
        close(fd)
        if !copied || rename(temporary, partial) != 0 { unlink(temporary) }
    }

    /// A partial download of `descriptor` an earlier run left (its path and length), if any.
    public func partial(for descriptor: Descriptor) -> (path: String, length: Int64)? {
        partialLength(descriptor).map { ("\(ingestDirectory)/\(descriptor.digest.encoded).partial", $0) }
    }

    private func partialLength(_ descriptor: Descriptor) -> Int64? {
        var info = stat()
        guard stat("\(ingestDirectory)/\(descriptor.digest.encoded).partial", &info) == 0, info.st_size > 0 else { return nil }
        return Int64(info.st_size)
    }

    /// Starts (or resumes) downloading `descriptor`'s blob; see ``BlobIngest``.
    public func beginIngest(_ descriptor: Descriptor) throws -> BlobIngest {
        try BlobIngest(store: self, descriptor: descriptor)
    }

    func moveIntoPlace(_ temporary: String, _ digest: Digest) throws {
        guard rename(temporary, path(for: digest)) == 0 else {
            throw BlobStoreError.io(path: path(for: digest), operation: "rename", errno: errno)
        }
    }

    private func writeIfAbsent(_ name: String, _ contents: Data) throws {
        let path = root + "/" + name
        guard !FileManager.default.fileExists(atPath: path) else { return }
        do {
            try contents.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BlobStoreError.unusable(root: root, reason: "cannot write \(name): \(error.localizedDescription)")
        }
    }
}

public enum BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case unusable(root: String, reason: String)
    /// The cache's copy of a blob does not match its digest any more; it was evicted.
    case damagedCopy(digest: Digest, actual: Digest)
    /// Content handed to ``BlobStore/store(_:as:)`` is not the blob it was said to be.
    case mismatchedContent(digest: Digest, actual: Digest)
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64)
    /// A 206 whose `Content-Range` does not start where the partial file ends.
    case rangeMismatch(digest: Digest, expectedStart: Int64, contentRange: String)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .unusable(let root, let reason):
            return "cache \(root): \(reason)"
        case .damagedCopy(let digest, let actual):
            return "blob \(digest): the cache held a damaged copy (its content has digest \(actual)); it was evicted"
        case .mismatchedContent(let digest, let actual):
            return "blob \(digest): the content to store has digest \(actual); it was not stored"
        case .sizeMismatch(let digest, let expected, let actual):
            return "blob \(digest): received \(actual) bytes, expected \(expected); it was discarded"
        case .rangeMismatch(let digest, let start, let range):
            return "blob \(digest): asked to resume at byte \(start), the registry sent \(range)"
        case .io(let path, let operation, let code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        }
    }
}
