/// One line split the way bash would split the little of it that image lists use: words,
/// single- and double-quoted text, the array brackets `(` `)`, and `#` comments.
///
/// Deliberately not a shell: no escapes, expansions or line continuations. Image references
/// contain none of those characters, so anything fancier ends up in a word that then fails
/// reference validation with a message naming it.
struct ShellWords: Equatable {
    enum Token: Equatable {
        /// A word with its quotes removed; `quoted` when any part of it was quoted.
        case word(String, quoted: Bool)
        /// `(`, which opens an array after `NAME=`.
        case open
        /// `)`, which closes it.
        case close
    }

    /// A quote with no closing partner on the same line.
    struct UnterminatedQuote: Error {}

    var tokens: [Token]

    init(_ line: Substring) throws(UnterminatedQuote) {
        var tokens: [Token] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character.isWhitespace {
                index = line.index(after: index)
            } else if character == "#" {
                // As in bash, `#` starts a comment only where a word could start.
                break
            } else if character == "(" || character == ")" {
                tokens.append(character == "(" ? .open : .close)
                index = line.index(after: index)
            } else {
                let (token, end) = try Self.word(in: line, from: index)
                tokens.append(token)
                index = end
            }
        }
        self.tokens = tokens
    }

    /// Reads a word up to whitespace or a bracket; quoted parts join it, as `a"b"` is `ab`.
    private static func word(in line: Substring, from start: Substring.Index) throws(UnterminatedQuote)
        -> (Token, Substring.Index)
    {
        var text = ""
        var quoted = false
        var index = start
        while index < line.endIndex {
            let character = line[index]
            if character.isWhitespace || character == "(" || character == ")" { break }
            if character == "\"" || character == "'" {
                let contentStart = line.index(after: index)
                guard let close = line[contentStart...].firstIndex(of: character) else {
                    throw UnterminatedQuote()
                }
                text += line[contentStart..<close]
                quoted = true
                index = line.index(after: close)
            } else {
                text.append(character)
                index = line.index(after: index)
            }
        }
        return (.word(text, quoted: quoted), index)
    }
}

extension ShellWords {
    /// For `[export] NAME=(`, the tokens after the `(`; `nil` when the line opens no array.
    var afterArrayOpening: ArraySlice<Token>? {
        var rest = tokens[...]
        if rest.first == .word("export", quoted: false) { rest = rest.dropFirst() }
        guard case .word(let assignment, quoted: false)? = rest.first,
            assignment.hasSuffix("="), Self.isIdentifier(assignment.dropLast())
        else { return nil }
        rest = rest.dropFirst()
        guard rest.first == .open else { return nil }
        return rest.dropFirst()
    }

    /// True for `NAME=value` or `export …`: shell statements, which a plain list never holds.
    var isStatement: Bool {
        switch tokens.first {
        case .word("export", quoted: false)?:
            return true
        case .word(let word, quoted: false)?:
            // A reference never contains `=`, so `NAME=` can only be an assignment.
            guard let equals = word.firstIndex(of: "=") else { return false }
            return Self.isIdentifier(word[..<equals])
        default:
            return false
        }
    }

    /// A bash variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isIdentifier(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
