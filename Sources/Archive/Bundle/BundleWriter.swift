import Foundation
import OCI

/// Writes an offline archive (see ``BundleLayout``) under a temporary name beside the output, and
/// renames it into place only in ``commit()``: on failure or cancellation ``discard()`` leaves
/// nothing at the output path.
///
/// libarchive calls block on disk I/O, so every write runs on the writer's own serial queue and
/// callers `await` it: the cooperative thread pool is never blocked by the tar.
public final class BundleWriter: @unchecked Sendable {
    public let outputPath: String
    public let temporaryPath: String
    private let queue = DispatchQueue(label: "airgap.bundle-writer")
    /// Touched only on `queue`.
    private var tar: TarWriter?
    private var writtenBlobs: Set<Digest> = []

    /// Prepares to write `outputPath`; fails at once, naming the directory, when it cannot be written.
    public init(outputPath: String) throws {
        let output = URL(fileURLWithPath: outputPath)
        let directory = output.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ArchiveError(path: outputPath, operation: "create", message: "directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw ArchiveError(path: outputPath, operation: "create", message: "directory \(directory) is not writable")
        }
        if FileManager.default.fileExists(atPath: outputPath, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ArchiveError(path: outputPath, operation: "create", message: "it is a directory; give a file name such as images.tar")
        }
        self.outputPath = output.path
        temporaryPath = "\(directory)/.\(output.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))"
        tar = try TarWriter(path: temporaryPath)
    }

    deinit {
        // Safety net: an archive that was never committed must not survive.
        if tar != nil { unlink(temporaryPath) }
    }

    /// Writes `oci-layout`, `index.json`, `manifest.json` and the blob directories. They come first so
    /// a reader learns what the archive holds before the layers stream past.
    public func writeMetadata(index: ImageIndex, dockerEntries: [DockerArchiveEntry]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let indexJSON = try encoder.encode(index)
        let manifestJSON = try encoder.encode(dockerEntries)
        try await onQueue { tar in
            try tar.addFile(BundleLayout.ociLayoutFile, contents: BundleLayout.ociLayoutContents)
            try tar.addFile(BundleLayout.ociIndexFile, contents: indexJSON)
            try tar.addFile(BundleLayout.dockerManifestFile, contents: manifestJSON)
            try tar.addDirectory(BundleLayout.blobsDirectory)
            try tar.addDirectory(BundleLayout.sha256Directory)
        }
    }

    /// Appends a blob from a file (the cache), streaming it and hashing the bytes as they are copied:
    /// what enters the archive is verified right there, whatever happened to the file since it was
    /// downloaded. A digest already written is skipped: each blob is stored once, however many images
    /// share it. Throws ``BlobStoreError/damagedCopy(digest:actual:)`` when the file is not the blob.
    ///
    /// `verified`: the caller has just hashed the file (a download, or ``BlobStore/verify(_:)``);
    /// hashing it a second time would only cost a full SHA-256 pass (BENCHMARKS.md), so it is
    /// copied as is.
    public func appendBlob(_ descriptor: Descriptor, from path: String, verified: Bool = false) async throws {
        try await onQueue { [self] tar in
            guard writtenBlobs.insert(descriptor.digest).inserted else { return }
            guard !verified else {
                try tar.addFile(BundleLayout.blobPath(descriptor.digest), size: descriptor.size, from: path)
                return
            }
            var digester = SHA256Digester()
            try tar.addFile(BundleLayout.blobPath(descriptor.digest), size: descriptor.size, from: path) { digester.update($0) }
            let actual = digester.finalize()
            guard actual == descriptor.digest else {
                throw BlobStoreError.damagedCopy(digest: descriptor.digest, actual: actual)
            }
        }
    }

    /// Finishes the tar and renames it to ``outputPath``: the output appears whole or not at all.
    ///
    /// No fsync, as with `podman save` and skopeo's docker-archive: forcing a multi-gigabyte archive to disk doubled
    /// the wall time of a bundle (BENCHMARKS.md), and the usual next step — copying the archive to a
    /// disk or a bastion — reads it from the page cache anyway. Run `sync` before unplugging a disk.
    public func commit() async throws {
        try await onQueue { [self] tar in
            try tar.finish()
            guard rename(temporaryPath, outputPath) == 0 else {
                throw ArchiveError(path: outputPath, operation: "rename", message: String(cString: strerror(errno)))
            }
            self.tar = nil
        }
    }

    /// Deletes the temporary file; the output path is left as it was.
    public func discard() {
        queue.sync {
            tar = nil
            unlink(temporaryPath)
        }
    }

    /// Errors of the tar name the temporary file, which is deleted on failure: name the output.
    private func namingOutput(_ error: any Error) -> any Error {
        guard var error = error as? ArchiveError, error.path == temporaryPath else { return error }
        error.path = outputPath
        return error
    }

    private func onQueue(_ work: @escaping @Sendable (TarWriter) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            queue.async { [self] in
                guard let tar else {
                    continuation.resume(throwing: ArchiveError(path: outputPath, operation: "write", message: "the archive was already committed or discarded"))
                    return
                }
                continuation.resume(with: Result { try work(tar) }.mapError(namingOutput))
            }
        }
    }
}
