import OCI

/// Where `--output mapping --to REGISTRY[/PREFIX]` sends images: each reference keeps its path
/// without the source registry, under the destination (`registry.example.com/mirror` +
/// `docker.io/library/busybox:1.29` → `registry.example.com/mirror/library/busybox:1.29`), the rule
/// `oc image mirror` and `oc adm release mirror` users expect.
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

    /// The destination of `reference`: `DEST/path:tag`, or `DEST/path` alone for a reference
    /// pinned by digest only (`oc image mirror` then pushes by digest, without a tag).
    public func destination(for reference: ImageReference) -> String {
        let path = "\(description)/\(reference.repository.value)"
        if let tag = reference.tag { return "\(path):\(tag)" }
        return path
    }

    /// `SRC=DST` lines, one per reference in order, as `oc image mirror -f` and
    /// `airgap mirror -f` read them.
    public func mapping(_ references: [ImageReference]) -> String {
        references.map { "\($0)=\(destination(for: $0))\n" }.joined()
    }

    /// Destinations that several different references would be written to (`docker.io/a/x:1` and
    /// `quay.io/a/x:1` both become `DEST/a/x:1`), with those references.
    public func collisions(_ references: [ImageReference]) -> [(destination: String, sources: [ImageReference])] {
        let grouped = Dictionary(grouping: ImageList(references).references, by: destination(for:))
        return grouped.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// Why a `--to` destination was refused.
public enum MirrorDestinationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notARegistry(String)
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .notARegistry(let text):
            "--to \(text): expected a registry host and an optional path, e.g. registry.example.com:5000/mirror"
        case .invalid(let text, let reason):
            "--to \(text): not a valid registry and path: \(reason)"
        }
    }
}
