import OCI
import Registry

/// One `SOURCE=DESTINATION` pair to copy.
public struct MirrorPair: Sendable, Hashable {
    public var source: ImageReference
    public var destination: ImageReference

    public init(source: ImageReference, destination: ImageReference) {
        self.source = source
        self.destination = destination
    }
}

/// Where an image goes when the destination is given without a tag or digest.
///
/// The rule: a destination that names a tag or digest is used as is. Otherwise it is a registry,
/// optionally with a path prefix, and the source's path and tag are appended:
/// `registry.example.com/mirror` + `docker.io/library/busybox:1.29` →
/// `registry.example.com/mirror/library/busybox:1.29` (as `oc image mirror` and oc-mirror do).
public enum MirrorDestination {
    public static func resolve(_ destination: String, for source: ImageReference) throws -> ImageReference {
        var trimmed = Substring(destination)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        // A tag sits in the last path component (`host:5000` alone is a registry with a port).
        let namesTag = trimmed.contains("/") && trimmed.split(separator: "/").last?.contains(":") == true
        if trimmed.contains("@") || namesTag { return try ImageReference(String(trimmed)) }
        var text = "\(trimmed)/\(source.repository)"
        if let tag = source.tag { text += ":\(tag)" }
        if let digest = source.digest { text += "@\(digest)" }
        return try ImageReference(text)
    }
}

/// Reads mapping files: `SRC=DST` (as `oc image mirror` writes them) or `SRC DST`, one pair per
/// line, `#` comments and blank lines allowed.
public enum MirrorMapping {
    public static func parse(_ text: String, source file: String) throws(MirrorMappingError) -> [MirrorPair] {
        var pairs: [MirrorPair] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let content = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !content.isEmpty else { continue }
            let parts = content.contains("=")
                ? content.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                : content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformedLine(file: file, line: number + 1, text: content)
            }
            do {
                let source = try ImageReference(parts[0])
                pairs.append(MirrorPair(source: source, destination: try MirrorDestination.resolve(parts[1], for: source)))
            } catch {
                throw .invalidReference(file: file, line: number + 1, reason: "\(error)")
            }
        }
        return pairs
    }
}

public enum MirrorMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedLine(file: String, line: Int, text: String)
    case invalidReference(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .malformedLine(let file, let line, let text):
            return "\(file):\(line): \"\(text)\" is not a mapping: expected SOURCE=DESTINATION (or SOURCE DESTINATION)"
        case .invalidReference(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        }
    }
}
