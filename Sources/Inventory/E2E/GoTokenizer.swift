/// A Go token, as much of Go's lexical grammar (https://go.dev/ref/spec#Lexical_elements) as
/// reading `manifest.go` needs: comments skipped, strings decoded, operators kept whole.
struct GoToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case identifier
        /// An interpreted (`"…"`) or raw (`` `…` ``) string literal; `text` is its value.
        case string
        case number
        case rune
        /// An operator or delimiter: `{`, `.`, `:=`, `==`, …
        case punctuation
    }

    var kind: Kind
    var text: String
    /// The 1-based line the token starts on.
    var line: Int

    func `is`(_ punctuation: String) -> Bool { kind == .punctuation && text == punctuation }
    func isIdentifier(_ name: String) -> Bool { kind == .identifier && text == name }
}

/// A lexical error, with its line.
struct GoSyntaxError: Error, Equatable {
    var line: Int
    var reason: String
}

/// Splits Go source into tokens. Hand-written, as there is no Go toolchain to ask; it accepts all
/// valid Go and refuses only what would make the rest of the file unreadable (an unterminated
/// string or comment).
enum GoTokenizer {
    /// Operators of two or three characters, longest first, so `==` is never read as `=` `=`.
    private static let operators = [
        "<<=", ">>=", "&^=", "...", "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=", "+=", "-=",
        "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^", "~",
    ].map { Array($0.unicodeScalars) }

    static func tokens(_ source: String) throws(GoSyntaxError) -> [GoToken] {
        let scalars = Array(source.unicodeScalars)
        var tokens: [GoToken] = []
        var index = 0
        var line = 1
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }

        while index < scalars.count {
            let scalar = scalars[index]
            let startLine = line
            if scalar == "\n" {
                line += 1
                index += 1
            } else if scalar.properties.isWhitespace {
                index += 1
            } else if scalar == "/", at(1) == "/" {
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            } else if scalar == "/", at(1) == "*" {
                index += 2
                while index < scalars.count, !(scalars[index] == "*" && at(1) == "/") {
                    if scalars[index] == "\n" { line += 1 }
                    index += 1
                }
                guard index < scalars.count else { throw GoSyntaxError(line: startLine, reason: "a /* comment that is never closed") }
                index += 2
            } else if scalar == "_" || scalar.properties.isAlphabetic {
                let start = index
                while index < scalars.count,
                    scalars[index] == "_" || scalars[index].properties.isAlphabetic
                        || scalars[index].properties.numericType != nil
                {
                    index += 1
                }
                tokens.append(GoToken(kind: .identifier, text: text(scalars[start..<index]), line: startLine))
            } else if ("0"..."9").contains(scalar) || (scalar == "." && at(1).map { ("0"..."9").contains($0) } == true) {
                let start = index
                while index < scalars.count {
                    let next = scalars[index]
                    let previous = scalars[index - 1]
                    let exponentSign = (next == "+" || next == "-") && "eEpP".unicodeScalars.contains(previous)
                    guard next == "." || next == "_" || next.properties.isAlphabetic || ("0"..."9").contains(next) || exponentSign
                    else { break }
                    index += 1
                }
                tokens.append(GoToken(kind: .number, text: text(scalars[start..<index]), line: startLine))
            } else if scalar == "`" {
                let start = index + 1
                index += 1
                while index < scalars.count, scalars[index] != "`" {
                    if scalars[index] == "\n" { line += 1 }
                    index += 1
                }
                guard index < scalars.count else { throw GoSyntaxError(line: startLine, reason: "a raw string (`) that is never closed") }
                // Carriage returns are discarded from raw strings, as the spec says.
                tokens.append(GoToken(kind: .string, text: text(scalars[start..<index].filter { $0 != "\r" }), line: startLine))
                index += 1
            } else if scalar == "\"" || scalar == "'" {
                let (value, end) = try GoStringLiteral.decode(scalars, from: index, line: startLine)
                tokens.append(GoToken(kind: scalar == "\"" ? .string : .rune, text: value, line: startLine))
                index = end
            } else if let op = operators.first(where: { op in op.indices.allSatisfy { at($0) == op[$0] } }) {
                tokens.append(GoToken(kind: .punctuation, text: text(op[...]), line: startLine))
                index += op.count
            } else {
                tokens.append(GoToken(kind: .punctuation, text: String(Character(scalar)), line: startLine))
                index += 1
            }
        }
        return tokens
    }

    private static func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }
}
