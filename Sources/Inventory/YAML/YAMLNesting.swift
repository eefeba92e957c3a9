/// A cheap upper bound on how deeply a YAML text nests, checked before Yams composes it: Yams builds
/// its node tree recursively, so 100,000 `[` (or `- - - …`) in a hostile snapshot would overflow the
/// stack and crash the process instead of failing with an error.
///
/// The bound must never count fewer levels than there are, so it parses nothing (a bracket inside
/// a quoted string could hide a real one): block nesting is bounded per line by the indentation
/// plus the block indicators (`- `, `? `, `: `) on it; flow nesting by the number of non-empty
/// `[` and `{` in the whole text, closing brackets not subtracted. crictl writes block YAML
/// whose only flow collections are empty (`[]`), so its output stays far below any limit.
enum YAMLNesting {
    /// The 1-based line where the bound first exceeds `limit`, or `nil` when it never does.
    static func lineExceeding(_ limit: Int, in text: String) -> Int? {
        let bytes = Array(text.utf8)
        var line = 1
        var openers = 0
        var indentation = 0
        var indicators = 0
        var atLineStart = true
        for (index, byte) in bytes.enumerated() {
            let next = index + 1 < bytes.count ? bytes[index + 1] : UInt8(ascii: "\n")
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                (indentation, indicators, atLineStart) = (0, 0, true)
                continue
            case UInt8(ascii: " ") where atLineStart:
                indentation += 1
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if next != (byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")) { openers += 1 }
            case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                if next == UInt8(ascii: " ") || next == UInt8(ascii: "\n") { indicators += 1 }
            default:
                break
            }
            if byte != UInt8(ascii: " ") { atLineStart = false }
            if indentation + indicators + openers > limit { return line }
        }
        return nil
    }
}
