import Foundation

/// The JSON grammar (RFC 8259) under `CrictlJSONReader`: separators, literals, strings and
/// skipping the values nobody reads, each checked as it goes.
extension CrictlJSONReader {
    /// Moves into the next member of an object or element of an array: `false` after the closing
    /// bracket, `true` when a member follows (its separating comma consumed).
    mutating func nextMember(_ first: inout Bool, closing: UInt8) throws(JSONFault) -> Bool {
        skipWhitespace()
        guard let byte = peek else { throw endOfInput() }
        if byte == closing {
            position += 1
            return false
        }
        if !first {
            guard byte == .comma else {
                throw JSONFault(
                    offset: position,
                    reason: "expected \",\" or \"\(Character(UnicodeScalar(closing)))\", found \(describe(at: position))")
            }
            position += 1
            skipWhitespace()
            guard let next = peek else { throw endOfInput() }
            if next == closing {
                throw JSONFault(offset: position, reason: "a trailing \",\" before \"\(Character(UnicodeScalar(closing)))\"")
            }
        }
        first = false
        return true
    }

    /// Skips any JSON value, checking its syntax.
    mutating func skipValue(depth: Int) throws(JSONFault) {
        skipWhitespace()
        guard let byte = peek else { throw endOfInput() }
        guard depth < Self.maximumDepth else { throw JSONFault(offset: position, reason: "values nested too deeply") }
        switch byte {
        case .quote:
            _ = try skipString()
        case .openBrace, .openBracket:
            let closing: UInt8 = byte == .openBrace ? .closeBrace : .closeBracket
            position += 1
            var first = true
            while try nextMember(&first, closing: closing) {
                if closing == .closeBrace {
                    skipWhitespace()
                    guard peek == .quote else {
                        if position >= bytes.count { throw endOfInput() }
                        throw JSONFault(offset: position, reason: "expected a field name in quotes, found \(describe(at: position))")
                    }
                    try skipString()
                    skipWhitespace()
                    try expect(.colon, as: "\":\" after a field name")
                }
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            var matched = try readLiteral("true")
            if !matched { matched = try readLiteral("false") }
            if !matched { matched = try readLiteral("null") }
            guard matched else {
                throw JSONFault(offset: position, reason: "unexpected \(describe(at: position))")
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            while let next = peek, isNumberByte(next) { position += 1 }
        default:
            throw JSONFault(offset: position, reason: "unexpected \(describe(at: position))")
        }
    }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, as what: String) throws(JSONFault) {
        skipWhitespace()
        guard let next = peek else { throw endOfInput() }
        guard next == byte else { throw JSONFault(offset: position, reason: "expected \(what), found \(describe(at: position))") }
        position += 1
    }

    /// Consumes `null` if it is next.
    mutating func readNull() throws(JSONFault) -> Bool { try readLiteral("null") }

    mutating func readLiteral(_ literal: StaticString) throws(JSONFault) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else {
            // A prefix of the literal at the very end is a truncated file.
            let rest = bytes.count - position
            if rest > 0, memcmp(bytes.baseAddress! + position, literal.utf8Start, rest) == 0 { throw endOfInput() }
            return false
        }
        guard memcmp(bytes.baseAddress! + position, literal.utf8Start, count) == 0 else { return false }
        position += count
        return true
    }

    /// The bytes between the quotes of the string at `position` when it has no escapes.
    func rawString() -> Range<Int>? {
        var index = position + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == .quote { return (position + 1)..<index }
            if byte == .backslash || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    mutating func readString() throws(JSONFault) -> String {
        if let raw = rawString() {
            position = raw.upperBound + 1
            return interner.string(UnsafeBufferPointer(rebasing: bytes[raw]))
        }
        return try readEscapedString()
    }

    mutating func skipString() throws(JSONFault) {
        if let raw = rawString() {
            position = raw.upperBound + 1
        } else {
            _ = try readEscapedString()
        }
    }

    func endOfInput() -> JSONFault {
        JSONFault(offset: bytes.count, reason: "the JSON ends early", isEndOfInput: true)
    }

    func wrongType(_ rule: String, found offset: Int) -> JSONFault {
        if offset >= bytes.count { return endOfInput() }
        return JSONFault(offset: offset, reason: "\(rule), found \(describe(at: offset))")
    }

    /// What kind of value starts at `offset`, for messages: "a string", "an object", "\"x\"".
    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the text" }
        switch bytes[offset] {
        case .quote: return "a string"
        case .openBrace: return "an object"
        case .openBracket: return "a list"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default:
            let end = min(offset + 16, bytes.count)
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
            return "\"\(text.prefix { !$0.isNewline })\""
        }
    }

    func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    func isNumberByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }
}

extension UInt8 {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
}
