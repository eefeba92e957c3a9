/// A normalized image reference: `domain/repository[:tag][@digest]`.
///
/// Parsed and normalized as distribution/reference's `ParseNormalizedNamed` does, so a name
/// means here what it means to docker, podman, containerd and skopeo: `busybox` is
/// `docker.io/library/busybox:latest`. See `init(_:)` for the rules.
///
/// Equality and hashing ignore `isTagImplied`: `busybox` and `busybox:latest` name the same
/// image.
public struct ImageReference: Sendable, CustomStringConvertible {
    /// Docker Hub's name in references.
    public static let dockerHubDomain = "docker.io"
    /// Docker Hub's legacy name, normalized to `dockerHubDomain`.
    static let legacyDockerHubDomain = "index.docker.io"
    /// The namespace of Docker Hub's official images.
    static let officialRepositoryPrefix = "library/"

    /// The registry as written in references: `docker.io`, `registry.k8s.io`, `localhost:5000`,
    /// `[::1]:5000`. Case is kept as given. Which host serves it is the
    /// registry client's business (Docker Hub's API lives at another host name).
    public let domain: String
    /// The repository path, e.g. `library/busybox`.
    public let repository: Repository
    /// The tag: the one given, or `latest` when neither a tag nor a digest was given
    /// (`isTagImplied` tells which). `nil` only for a digest-only reference.
    public let tag: Tag?
    /// The digest, when the reference pins one.
    public let digest: Digest?
    /// True when the input named neither tag nor digest, so `tag` is the default `latest`.
    public let isTagImplied: Bool

    /// Builds a reference from parts, normalizing as the parser does: `index.docker.io`
    /// becomes `docker.io`, a one-component Docker Hub path gets `library/`, and with neither
    /// tag nor digest the tag is `latest`.
    public init(
        domain: String = ImageReference.dockerHubDomain,
        repository: Repository,
        tag: Tag? = nil,
        digest: Digest? = nil
    ) throws(ReferenceError) {
        try Self.validateDomain(domain, reference: domain)
        let domain = domain == Self.legacyDockerHubDomain ? Self.dockerHubDomain : domain
        var path = repository.value
        if domain == Self.dockerHubDomain, !path.contains("/") {
            path = Self.officialRepositoryPrefix + path
            try Repository.validateLength(path, reference: "\(domain)/\(path)")
        }
        self.init(
            validatedDomain: domain, repository: Repository(uncheckedValue: path),
            tag: tag, digest: digest)
    }

    /// The one place every reference is assembled; the caller has validated and normalized.
    init(validatedDomain domain: String, repository: Repository, tag: Tag?, digest: Digest?) {
        self.domain = domain
        self.repository = repository
        self.isTagImplied = tag == nil && digest == nil
        self.tag = isTagImplied ? .latest : tag
        self.digest = digest
    }

    // MARK: - Forms

    /// `domain/repository`, e.g. `docker.io/library/busybox`.
    public var name: String { "\(domain)/\(repository)" }

    /// The full normalized form, e.g. `docker.io/library/busybox:1.29`, with `@sha256:…`
    /// when pinned. Write this form into archives: loaders read short names differently.
    public var description: String { name + suffix }

    /// The name as docker shows it: `docker.io/` dropped, and `library/` dropped from a
    /// two-component Docker Hub path (`busybox`, `bitnami/redis`, `quay.io/a/b`).
    public var familiarName: String {
        guard domain == Self.dockerHubDomain else { return name }
        let path = repository.value
        if path.hasPrefix(Self.officialRepositoryPrefix) {
            let rest = path.dropFirst(Self.officialRepositoryPrefix.count)
            if !rest.contains("/") { return String(rest) }
        }
        return path
    }

    /// The familiar form with tag and digest, e.g. `busybox:1.29`. Unlike distribution's
    /// `FamiliarString`, an implied tag is shown (`busybox:latest`).
    public var familiar: String { familiarName + suffix }

    /// What goes in `/v2/<name>/manifests/<reference>`: the digest when there is one (it wins
    /// over a tag, as in containerd and docker), otherwise the tag.
    public var manifestReference: String {
        digest?.description ?? (tag ?? .latest).value
    }

    /// `domain/repository@digest`, or `nil` when the reference has no digest.
    public var pinnedReference: String? {
        digest.map { "\(name)@\($0)" }
    }

    private var suffix: String {
        var suffix = ""
        if let tag { suffix += ":\(tag)" }
        if let digest { suffix += "@\(digest)" }
        return suffix
    }

    // MARK: - Variants

    /// The same repository with `tag`; a digest is kept.
    public func withTag(_ tag: Tag) -> ImageReference {
        ImageReference(validatedDomain: domain, repository: repository, tag: tag, digest: digest)
    }

    /// The same repository pinned to `digest`; a tag the user gave is kept, an implied one dropped.
    public func withDigest(_ digest: Digest) -> ImageReference {
        ImageReference(
            validatedDomain: domain, repository: repository,
            tag: isTagImplied ? nil : tag, digest: digest)
    }
}

extension ImageReference: Hashable {
    public static func == (lhs: ImageReference, rhs: ImageReference) -> Bool {
        lhs.domain == rhs.domain && lhs.repository == rhs.repository
            && lhs.tag == rhs.tag && lhs.digest == rhs.digest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(domain)
        hasher.combine(repository)
        hasher.combine(tag)
        hasher.combine(digest)
    }
}

extension ImageReference: Codable {
    /// Decodes from a reference string, parsed and normalized like `init(_:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            self = try ImageReference(string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the full normalized form (`description`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
