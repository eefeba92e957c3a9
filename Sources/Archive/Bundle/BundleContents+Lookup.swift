import Foundation
import OCI

/// Following descriptors through the archive's own blobs: index → manifests → config and layers.
extension BundleContents {
    /// An image manifest reached from an `index.json` entry, directly or through its index.
    public struct ResolvedManifest: Sendable, Hashable {
        /// The descriptor that points at the manifest (the index's child, or the `index.json` entry).
        public var descriptor: Descriptor
        /// The image manifest, decoded from the archive's own intact blob.
        public var manifest: ImageManifest
        /// The descriptor's platform, or else the one the image's config names.
        public var platform: Platform?
    }

    /// What looking up a blob as a document gave.
    enum Lookup<Value> {
        case found(Value)
        /// No blob of that digest.
        case missing
        /// The blob's bytes do not match its name; reported once, for the blob itself.
        case corrupt
        /// Intact, but not the document expected; the text says why.
        case unreadable(String)
    }

    /// Nested indexes deeper than this are not followed (the spec allows nesting; nobody nests twice).
    static let maximumIndexDepth = 4

    /// The manifest or index `descriptor` points at, parsed as its media type says; `nil` when the
    /// blob is missing, corrupt or not such a document.
    public func document(for descriptor: Descriptor) -> ManifestDocument? {
        if case .found(let document) = lookupDocument(descriptor) { document } else { nil }
    }

    /// The image configuration `descriptor` points at; `nil` when missing, corrupt or unparseable.
    public func config(for descriptor: Descriptor) -> ImageConfig? {
        if case .found(let config) = lookupConfig(descriptor.digest) { config } else { nil }
    }

    /// The image manifests behind an `index.json` descriptor: the manifest itself, or every child of
    /// its index (nested indexes followed), in order. Children that cannot be read are left out.
    public func manifests(of descriptor: Descriptor) -> [ResolvedManifest] {
        manifests(of: descriptor, decoded: DecodedDocuments())
    }

    /// Every blob digest an image uses — its manifests and indexes, configs and layers — each once,
    /// as far as the archive lets them be followed.
    public func blobDigests(of descriptor: Descriptor) -> [Digest] {
        blobDigests(of: descriptor, decoded: DecodedDocuments())
    }

    func manifests(of descriptor: Descriptor, decoded: DecodedDocuments) -> [ResolvedManifest] {
        var walk = Walk(decoded: decoded)
        walk.follow(descriptor, depth: 0, in: self)
        return walk.manifests
    }

    func blobDigests(of descriptor: Descriptor, decoded: DecodedDocuments) -> [Digest] {
        var walk = Walk(decoded: decoded)
        walk.follow(descriptor, depth: 0, in: self)
        var digests = walk.documents
        var seen = Set(digests)
        for resolved in walk.manifests {
            for digest in [resolved.manifest.config.digest] + resolved.manifest.layers.map(\.digest)
            where seen.insert(digest).inserted {
                digests.append(digest)
            }
        }
        return digests
    }

    // MARK: - Internal

    func lookupDocument(_ descriptor: Descriptor) -> Lookup<ManifestDocument> {
        switch lookupData(descriptor.digest) {
        case .found(let data):
            do {
                return .found(try ManifestDocument(decoding: data, contentType: descriptor.mediaType))
            } catch {
                return .unreadable(error.description)
            }
        case .missing: return .missing
        case .corrupt: return .corrupt
        case .unreadable(let reason): return .unreadable(reason)
        }
    }

    func lookupConfig(_ digest: Digest) -> Lookup<ImageConfig> {
        switch lookupData(digest) {
        case .found(let data):
            do {
                return .found(try JSONDecoder().decode(ImageConfig.self, from: data))
            } catch {
                return .unreadable("not an image config: " + JSONFailure.describe(error))
            }
        case .missing: return .missing
        case .corrupt: return .corrupt
        case .unreadable(let reason): return .unreadable(reason)
        }
    }

    func lookupData(_ digest: Digest) -> Lookup<Data> {
        guard let blob = blobs[digest] else { return .missing }
        guard blob.isIntact else { return .corrupt }
        guard let data = smallBlobs[digest] else {
            return .unreadable("its \(blob.size) bytes are not a JSON document small enough to be a manifest or config")
        }
        return .found(data)
    }

    /// A depth-first walk from an `index.json` entry through indexes to image manifests.
    private struct Walk {
        let decoded: DecodedDocuments
        /// The manifests and indexes met, each once, in order.
        var documents: [Digest] = []
        var manifests: [ResolvedManifest] = []
        private var seen: Set<Digest> = []

        init(decoded: DecodedDocuments) {
            self.decoded = decoded
        }

        mutating func follow(_ descriptor: Descriptor, depth: Int, in contents: BundleContents) {
            guard seen.insert(descriptor.digest).inserted else { return }
            documents.append(descriptor.digest)
            guard case .found(let document) = decoded.document(descriptor, in: contents) else { return }
            switch document {
            case .image(let manifest):
                var platform = descriptor.platform
                if platform == nil, case .found(let config) = decoded.config(manifest.config.digest, in: contents) {
                    platform = config.platform
                }
                manifests.append(ResolvedManifest(descriptor: descriptor, manifest: manifest, platform: platform))
            case .index(let index) where depth < BundleContents.maximumIndexDepth:
                for child in index.manifests {
                    follow(child, depth: depth + 1, in: contents)
                }
            case .index:
                break
            }
        }
    }
}

/// Documents decoded from an archive's blobs, each once: a pass over an archive meets the same
/// manifest or config once per image that uses it (20,000 names of one image: 20,000 times), and
/// decoding JSON is most of what a check costs. One per pass; not shared between threads.
final class DecodedDocuments {
    private struct Key: Hashable {
        var digest: Digest
        /// A document is decoded as its descriptor's media type says.
        var mediaType: MediaType
    }

    private var documents: [Key: BundleContents.Lookup<ManifestDocument>] = [:]
    private var configs: [Digest: BundleContents.Lookup<ImageConfig>] = [:]
    /// How many JSON documents were decoded (not found here already).
    private(set) var decodeCount = 0

    func document(_ descriptor: Descriptor, in contents: BundleContents) -> BundleContents.Lookup<ManifestDocument> {
        let key = Key(digest: descriptor.digest, mediaType: descriptor.mediaType)
        if let known = documents[key] { return known }
        decodeCount += 1
        let lookup = contents.lookupDocument(descriptor)
        documents[key] = lookup
        return lookup
    }

    func config(_ digest: Digest, in contents: BundleContents) -> BundleContents.Lookup<ImageConfig> {
        if let known = configs[digest] { return known }
        decodeCount += 1
        let lookup = contents.lookupConfig(digest)
        configs[digest] = lookup
        return lookup
    }
}
