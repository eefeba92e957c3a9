/// Where mirrored images go: a registry and an optional path prefix under it. Each image keeps its
/// path without its source registry, and its tag: `registry.example.com/mirror` +
/// `docker.io/library/busybox:1.29` → `registry.example.com/mirror/library/busybox:1.29`, the rule
/// `oc image mirror`, `oc adm release mirror` and oc-mirror users expect.
public struct MirrorDestination: Sendable, Hashable, CustomStringConvertible {
    /// The registry host, with its port when given: `registry.example.com:5000`.
    public let registry: String
    /// The repository path prefix under it, without slashes at either end; empty for none.
    public let prefix: String

    /// Parses `REGISTRY[/PREFIX]`. The first component must be a registry host (it has a `.` or a
    /// `:`, or is `localhost`), so that a bare word is not silently taken as a Docker Hub namespace.
    public init(_ text: String) throws(MirrorDestinationError) {
        var trimmed = Substring(text)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let host = trimmed.prefix { $0 != "/" }
        guard !host.isEmpty, host.contains(".") || host.contains(":") || host == "localhost" else {
            throw .notARegistry(text)
        }
        let probe: ImageReference
        do {
            probe = try ImageReference("\(trimmed)/probe")
        } catch {
            throw .invalid(text, reason: error.description)
        }
        guard probe.domain == host else { throw .notARegistry(text) }
        registry = String(host)
        prefix = String(probe.repository.value.dropLast("probe".count).dropLast())
    }

    public var description: String { prefix.isEmpty ? registry : "\(registry)/\(prefix)" }

    /// Where `source` goes, with its tag and digest: pushing by digest keeps it, so a digest-only
    /// source is pushed by digest alone.
    public func reference(for source: ImageReference) throws(ReferenceError) -> ImageReference {
        try ImageReference(
            domain: registry, repository: try ImageReference.Repository(repositoryPath(for: source)),
            tag: source.isTagImplied ? nil : source.tag, digest: source.digest)
    }

    /// The destination as a mapping file line names it: `DEST/path:tag`, or `DEST/path` alone for a
    /// source pinned by digest only (`oc image mirror` then pushes by digest, without a tag).
    public func mappingTarget(for source: ImageReference) -> String {
        let path = "\(registry)/\(repositoryPath(for: source))"
        if let tag = source.tag { return "\(path):\(tag)" }
        return path
    }

    private func repositoryPath(for source: ImageReference) -> String {
        prefix.isEmpty ? source.repository.value : "\(prefix)/\(source.repository.value)"
    }

    /// A destination as a mirror command takes it: a reference naming a tag or digest is used as
    /// is; anything else is a ``MirrorDestination`` under which `source` keeps its path and tag.
    public static func resolve(_ text: String, for source: ImageReference) throws -> ImageReference {
        var trimmed = Substring(text)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        // A tag sits in the last path component (`host:5000` alone is a registry with a port).
        let namesTag = trimmed.contains("/") && trimmed.split(separator: "/").last?.contains(":") == true
        if trimmed.contains("@") || namesTag { return try ImageReference(String(trimmed)) }
        return try MirrorDestination(text).reference(for: source)
    }
}

/// Why a destination was refused.
public enum MirrorDestinationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notARegistry(String)
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .notARegistry(let text):
            "\(text.debugDescription) is not a registry host with an optional path, e.g. registry.example.com:5000/mirror"
        case .invalid(let text, let reason):
            "\(text.debugDescription) is not a valid registry and path: \(reason)"
        }
    }
}
