/// Decoding Go's interpreted string and rune literals (https://go.dev/ref/spec#String_literals).
enum GoStringLiteral {
    /// Decodes the literal whose opening quote is at `start`; returns its value and the index after
    /// its closing quote. A line break before the closing quote is an error, as in Go.
    static func decode(_ scalars: [Unicode.Scalar], from start: Int, line: Int) throws(GoSyntaxError) -> (String, Int) {
        let quote = scalars[start]
        var value = String.UnicodeScalarView()
        var bytes: [UInt8] = []  // \x and octal escapes are bytes, which may form UTF-8 together
        var index = start + 1
        func flushBytes() {
            value.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            bytes.removeAll()
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == quote {
                flushBytes()
                return (String(value), index + 1)
            }
            if scalar == "\n" { break }
            if scalar != "\\" {
                flushBytes()
                value.append(scalar)
                index += 1
                continue
            }
            guard index + 1 < scalars.count else { break }
            let escape = scalars[index + 1]
            index += 2
            let simple: [Unicode.Scalar: Unicode.Scalar] = [
                "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}",
                "\\": "\\", "'": "'", "\"": "\"",
            ]
            if let replacement = simple[escape] {
                flushBytes()
                value.append(replacement)
            } else if escape == "x" || ("0"..."7").contains(escape) {
                let (digits, radix) = escape == "x" ? (2, 16) : (3, 8)
                let first = escape == "x" ? index : index - 1
                guard let byte = number(scalars, from: first, digits: digits, radix: radix), byte <= 255 else {
                    throw GoSyntaxError(line: line, reason: "an invalid \\\(escape) escape in a string")
                }
                bytes.append(UInt8(byte))
                index = first + digits
            } else if escape == "u" || escape == "U" {
                let digits = escape == "u" ? 4 : 8
                guard let code = number(scalars, from: index, digits: digits, radix: 16), let decoded = Unicode.Scalar(code) else {
                    throw GoSyntaxError(line: line, reason: "an invalid \\\(escape) escape in a string")
                }
                flushBytes()
                value.append(decoded)
                index += digits
            } else {
                throw GoSyntaxError(line: line, reason: "an unknown escape \\\(escape) in a string")
            }
        }
        throw GoSyntaxError(line: line, reason: "a string (\(quote)) that is not closed on its line")
    }

    private static func number(_ scalars: [Unicode.Scalar], from start: Int, digits: Int, radix: Int) -> UInt32? {
        guard start + digits <= scalars.count else { return nil }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[start..<(start + digits)])
        return UInt32(String(text), radix: radix)
    }
}
