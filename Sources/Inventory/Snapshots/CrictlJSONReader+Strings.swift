extension CrictlJSONReader {
    /// Decodes a string with escapes (`\"`, `\\`, `\n`, `\u00e9`, surrogate pairs), the slow path
    /// that image names and ids never take.
    mutating func readEscapedString() throws(JSONFault) -> String {
        guard peek == .quote else { throw wrongType("expected a string", found: position) }
        position += 1
        var utf8: [UInt8] = []
        while let byte = peek {
            switch byte {
            case .quote:
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case .backslash:
                position += 1
                guard let escaped = peek else { throw endOfInput() }
                position += 1
                switch escaped {
                case .quote, .backslash, UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try readUnicodeEscape()
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw JSONFault(
                        offset: position - 2, reason: "an unknown escape \"\\\(Character(UnicodeScalar(escaped)))\" in a string")
                }
            case 0..<0x20:
                throw JSONFault(offset: position, reason: "a line break or control character inside a string (missing closing quote?)")
            default:
                utf8.append(byte)
                position += 1
            }
        }
        throw endOfInput()
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` when the first is a high surrogate.
    private mutating func readUnicodeEscape() throws(JSONFault) -> Unicode.Scalar {
        let start = position - 2
        let first = try readHexQuad(escapeAt: start)
        if (0xD800..<0xDC00).contains(first) {
            guard try readLiteral("\\u") else {
                throw JSONFault(offset: start, reason: "a \\u escape with half of a surrogate pair")
            }
            let second = try readHexQuad(escapeAt: start)
            guard (0xDC00..<0xE000).contains(second) else {
                throw JSONFault(offset: start, reason: "a \\u escape with half of a surrogate pair")
            }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            if let scalar = Unicode.Scalar(value) { return scalar }
        } else if let scalar = Unicode.Scalar(first) {
            return scalar
        }
        throw JSONFault(offset: start, reason: "a \\u escape that is not a character")
    }

    private mutating func readHexQuad(escapeAt start: Int) throws(JSONFault) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek else { throw endOfInput() }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONFault(offset: start, reason: "a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
