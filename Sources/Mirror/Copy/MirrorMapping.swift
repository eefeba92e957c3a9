import OCI

/// One `SOURCE=DESTINATION` pair to copy.
public struct MirrorPair: Sendable, Hashable {
    public var source: ImageReference
    public var destination: ImageReference

    public init(source: ImageReference, destination: ImageReference) {
        self.source = source
        self.destination = destination
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
