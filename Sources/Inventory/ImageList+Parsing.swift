import OCI

extension ImageList {
    /// Parses a list of image references, telling the two accepted forms apart line by line.
    ///
    /// - A plain list: one reference per line. Blank lines, surrounding whitespace and `#`
    ///   comments (whole-line or after whitespace) are ignored; a quoted reference is accepted.
    /// - The seed's bash array, pasted as is: `export IMAGES=(` … `)`. `export` is optional,
    ///   the name may be any variable name, items may be double-, single- or unquoted, several
    ///   on a line, and `(` and `)` may share a line with items (`IMAGES=( )` is empty).
    ///   Only the items are references.
    ///
    /// Every reference is normalized (`busybox` → `docker.io/library/busybox:latest`) and later
    /// duplicates are dropped. Other shell, such as `export FOO=bar`, is an error.
    ///
    /// - Parameter source: how errors name the text: a file path or `<stdin>`.
    /// - Throws: the first problem, naming `source` and the 1-based line.
    public static func parse(_ text: String, source: String) throws(ImageListError) -> ImageList {
        var parser = Parser(source: source)
        // `isNewline` also splits "\r\n", a single Character in Swift, so CRLF files work.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, line) in lines.enumerated() {
            // A byte-order mark is invisible in editors; it must not become part of a reference.
            let line = offset == 0 && line.first == "\u{FEFF}" ? line.dropFirst() : line
            try parser.read(line, number: offset + 1)
        }
        try parser.finish()
        return ImageList(parser.references)
    }
}

/// The line-by-line state: whether a bash array is open, and where it opened.
private struct Parser {
    let source: String
    var references: [ImageReference] = []
    /// The line of the `NAME=(` whose `)` has not been seen yet.
    var openArrayLine: Int?

    init(source: String) { self.source = source }

    mutating func read(_ line: Substring, number: Int) throws(ImageListError) {
        let trimmed = String(line.trimmingWhitespace)
        let words: ShellWords
        do {
            words = try ShellWords(line)
        } catch {
            throw .unterminatedQuote(source: source, line: number, text: trimmed)
        }
        let unexpected = ImageListError.unexpectedText(source: source, line: number, text: trimmed)

        if let openLine = openArrayLine {
            // A second opening means the first array's `)` is missing; point at the first.
            guard words.afterArrayOpening == nil else {
                throw .unterminatedArray(source: source, line: openLine)
            }
            try readItems(words.tokens[...], line: number, unexpected: unexpected)
            return
        }
        if let items = words.afterArrayOpening {
            openArrayLine = number
            try readItems(items, line: number, unexpected: unexpected)
            return
        }
        switch words.tokens.first {
        case nil:
            return  // blank or comment
        case .word(let text, _)? where words.tokens.count == 1 && !words.isStatement:
            try append(text, line: number)
        default:
            try refuseWords(words, line: number)
            throw unexpected
        }
    }

    /// A line of several plain words outside an array: one reference with a space in it, or
    /// several on one line. Either way it is refused as the one reference it would have to be, so
    /// the reference's own error says what is wrong (the message adds the one-per-line rule).
    /// Lines of other formats (shell statements, brackets, quotes, a `key:` first word as YAML
    /// has) are left to the caller's "unexpected" error, which names the formats accepted.
    private func refuseWords(_ words: ShellWords, line: Int) throws(ImageListError) {
        guard !words.isStatement else { return }
        var texts: [String] = []
        for token in words.tokens {
            guard case .word(let text, quoted: false) = token else { return }
            texts.append(text)
        }
        if texts.first?.hasSuffix(":") == true { return }
        // Without a trailing comment: the words as the user typed them, one space apart.
        let text = texts.joined(separator: " ")
        do {
            _ = try ImageReference(text)
        } catch {
            throw .invalidReference(source: source, line: line, text: text, reason: error)
        }
    }

    /// Items inside an open array, up to and including its `)`, which must end the line.
    private mutating func readItems(
        _ tokens: ArraySlice<ShellWords.Token>, line: Int, unexpected: ImageListError
    ) throws(ImageListError) {
        var rest = tokens
        while let token = rest.popFirst() {
            switch token {
            case .word(let text, _):
                try append(text, line: line)
            case .close:
                openArrayLine = nil
                guard rest.isEmpty else { throw unexpected }
            case .open:
                throw unexpected
            }
        }
    }

    private mutating func append(_ text: String, line: Int) throws(ImageListError) {
        do {
            references.append(try ImageReference(text))
        } catch {
            throw .invalidReference(source: source, line: line, text: text, reason: error)
        }
    }

    func finish() throws(ImageListError) {
        if let openArrayLine { throw .unterminatedArray(source: source, line: openArrayLine) }
    }
}

extension Substring {
    /// The text without leading and trailing whitespace, for quoting a line in an error.
    fileprivate var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
