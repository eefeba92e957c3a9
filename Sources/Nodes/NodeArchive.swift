import Archive
import Foundation
import OCI

/// What the node procedures need to know of an offline archive: its path, the sha256 of the whole
/// file (checked on every node after the copy), the full names of its images and, for a delta, the
/// layers it relies on, read from the archive itself.
///
/// Names never come from the command line: `podman image exists`, `podman load` and `podman rmi`
/// act on exactly what the archive holds.
public struct NodeArchive: Sendable, Hashable {
    /// The archive's path as the user gave it; the generated load script looks for the archive there.
    public var path: String
    /// The sha256 of the archive file.
    public var sha256: Digest
    /// The archive file's size in bytes.
    public var size: Int64
    /// Every image's full name, in `index.json` order, each once.
    public var images: [String]
    /// For a delta that left layers out: what each node must already hold (``NodeDelta``).
    public var delta: NodeDelta?

    public init(path: String, sha256: Digest, size: Int64, images: [String], delta: NodeDelta? = nil) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.images = images
        self.delta = delta
    }

    /// The names the node steps act on: `index.json`'s `org.opencontainers.image.ref.name` (or
    /// `io.containerd.image.name`) of each image, then any `manifest.json` RepoTag not named there,
    /// since podman loads through either view.
    ///
    /// - Throws: ``NodeArchiveError/noImages(archive:)`` when there is no name at all,
    ///   ``NodeArchiveError/unnamedImage(archive:entry:)`` for an image without a name (podman
    ///   would load it untagged, and nothing could check or remove it by name), and
    ///   ``NodeArchiveError/unusableName(archive:name:)`` for a name a shell cannot carry.
    public static func imageNames(of contents: BundleContents) throws(NodeArchiveError) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        func add(_ name: String) throws(NodeArchiveError) {
            // NUL cannot be passed as an argument, so such a name could never be checked or removed.
            guard !name.isEmpty, !name.unicodeScalars.contains("\0") else {
                throw .unusableName(archive: contents.archivePath, name: name)
            }
            if seen.insert(name).inserted { names.append(name) }
        }
        for image in contents.images {
            guard let name = image.referenceName ?? image.containerdName else {
                throw .unnamedImage(archive: contents.archivePath, entry: image.label)
            }
            try add(name)
        }
        for entry in contents.dockerManifest.value ?? [] {
            for tag in entry.repoTags { try add(tag) }
        }
        guard !names.isEmpty else { throw .noImages(archive: contents.archivePath) }
        return names
    }

    /// Reads the archive's image names and, for a delta, the layers it relies on
    /// (``BundleReader``, which also refuses unsafe entries), hashing the whole file in the same pass.
    public static func read(path: String) throws(NodeArchiveError) -> NodeArchive {
        let contents: BundleContents
        do {
            contents = try BundleReader(path: path, hashingWholeFile: true).read()
        } catch {
            throw .unreadable(error)
        }
        let images = try imageNames(of: contents)
        guard let sha256 = contents.fileDigest else {
            throw .hashing(archive: path, reason: "the reader did not hash the file")
        }
        let delta = try NodeDelta.reading(contents)
        return NodeArchive(path: path, sha256: sha256, size: contents.archiveSize, images: images, delta: delta)
    }

    /// ``read(path:)`` on a thread of its own: reading and hashing a multi-gigabyte archive must
    /// not hold one of the cooperative pool's few threads.
    public static func reading(path: String) async throws -> NodeArchive {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { () throws(NodeArchiveError) in try read(path: path) })
            }.start()
        }
    }

    /// Names that are not full image references, which podman will refuse to load or look up; the
    /// CLI warns about them (`airgap verify` says more).
    public var unusualNames: [String] {
        images.filter { name in (try? ImageReference(name))?.description != name }
    }
}
