import Foundation
import OCI

/// One `crictl images` output found in a file.
struct CrictlOutput: Sendable, Hashable {
    /// The pod named by the `Starting pod/…` line before it, when `oc debug`'s messages were kept.
    var podName: String?
    var images: [CrictlImage]
    /// The 1-based line where the output starts.
    var line: Int
}

/// Splits a snapshot file into crictl outputs: one output, or the concatenated outputs of a loop
/// over nodes, in JSON or YAML, with `oc debug`'s own messages around them ignored.
enum SnapshotFileParser {
    static func parse(_ bytes: [UInt8], source: String, interner: StringInterner = StringInterner()) throws(SnapshotError)
        -> [CrictlOutput]
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(SnapshotError) in
            var scanner = Scanner(bytes: buffer, source: source, interner: interner)
            return try scanner.outputs()
        }
    }

    /// The node a debug pod was started for: `oc debug node/NAME` names its pod `NAME-debug`
    /// (newer oc: `NAME-debug-xxxxx`), with the dots of the node's name removed. The result is the
    /// same before and after a run, which is what matching needs.
    static func node(forPod pod: String) -> String {
        guard let range = pod.range(of: "-debug", options: .backwards) else { return pod }
        let rest = pod[range.upperBound...]
        guard rest.isEmpty || (rest.first == "-" && rest.dropFirst().allSatisfy { $0.isLetter || $0.isNumber }) else { return pod }
        return String(pod[..<range.lowerBound])
    }
}

private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let source: String
    let interner: StringInterner
    var position = 0
    /// The line of `lineOffset`, advanced as the scan moves forward.
    var line = 1
    var lineOffset = 0

    init(bytes: UnsafeBufferPointer<UInt8>, source: String, interner: StringInterner) {
        self.bytes = bytes
        self.source = source
        self.interner = interner
        // A byte-order mark is not text.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    mutating func outputs() throws(SnapshotError) -> [CrictlOutput] {
        var outputs: [CrictlOutput] = []
        var pod: String?
        while true {
            skipWhitespace()
            guard position < bytes.count else { return outputs }
            let start = position
            let startLine = lineNumber(at: start)
            if bytes[start] == .openBrace {
                var reader = CrictlJSONReader(bytes: bytes, position: start, interner: interner)
                do {
                    let images = try reader.readOutput()
                    outputs.append(CrictlOutput(podName: pod, images: images, line: startLine))
                } catch {
                    throw jsonError(error, outputLine: startLine)
                }
                pod = nil
                position = reader.position
                continue
            }
            let end = endOfLine(from: start)
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                .trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("images:") {
                let yamlEnd = endOfYAML(after: end)
                let yaml = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<yamlEnd]), as: UTF8.self)
                let images = try CrictlYAMLReader.read(yaml, firstLine: startLine, source: source)
                outputs.append(CrictlOutput(podName: pod, images: images, line: startLine))
                pod = nil
                position = yamlEnd
            } else if text == "---" || text == "..." {
                position = end
            } else if let message = OcDebugMessage(text) {
                if case .startingPod(let name) = message { pod = name }
                position = end
            } else if text.hasPrefix("error: ") {
                throw .collectionFailed(source: source, line: startLine, text: text)
            } else {
                throw .unexpectedText(source: source, line: startLine, text: text, hint: Self.hint(for: text))
            }
        }
    }

    private mutating func jsonError(_ fault: JSONFault, outputLine: Int) -> SnapshotError {
        if fault.isEndOfInput {
            return .malformed(
                source: source, line: lineNumber(at: max(0, bytes.count - 1)),
                reason: "the JSON output that starts on line \(outputLine) ends early: the file is truncated "
                    + "(was the collection interrupted?)")
        }
        return .malformed(source: source, line: lineNumber(at: fault.offset), reason: fault.reason)
    }

    /// A YAML output runs from its `images:` line over indented lines, `- ` items and blank lines,
    /// up to the next line that starts in column 0 with anything else (the next output, a message).
    private func endOfYAML(after firstLineEnd: Int) -> Int {
        var index = firstLineEnd
        while index < bytes.count {
            let lineStart = index + 1
            guard lineStart < bytes.count else { return bytes.count }
            let first = bytes[lineStart]
            let continues: Bool
            switch first {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continues = true
            case UInt8(ascii: "-"):
                // `- item` continues the list; `---` starts another document.
                continues = !(lineStart + 2 < bytes.count && bytes[lineStart + 1] == first && bytes[lineStart + 2] == first)
            default:
                continues = false
            }
            if !continues { return lineStart }
            index = endOfLine(from: lineStart)
        }
        return bytes.count
    }

    private func endOfLine(from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        return index
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    /// The 1-based line of `offset`. Outputs are met in order, so counting resumes from the last
    /// answer instead of from the start (an error may point backwards: then it starts over).
    private mutating func lineNumber(at offset: Int) -> Int {
        if offset < lineOffset {
            line = 1
            lineOffset = 0
        }
        let base = bytes.baseAddress!
        var cursor = lineOffset
        while cursor < offset, let found = memchr(base + cursor, Int32(UInt8(ascii: "\n")), offset - cursor) {
            line += 1
            cursor = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        lineOffset = offset
        return line
    }

    /// What a line that is not crictl output looks like, when that can be told.
    private static func hint(for text: String) -> String? {
        if text.hasPrefix("IMAGE ") && text.contains("TAG") {
            return "this is crictl's table; run `crictl images -o json`"
        }
        if text.hasPrefix("[") {
            return "this JSON is a list; crictl writes an object, {\"images\": […]}"
        }
        if !text.contains(" "), (text.contains("/") || text.contains(":")), (try? ImageReference(text)) != nil {
            return "this looks like a list of image names (`jq -r .images[].repoTags[]` of crictl's output); the "
                + "diff needs crictl's JSON itself"
        }
        return nil
    }
}
