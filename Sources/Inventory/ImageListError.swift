import OCI

/// Why an image list could not be read. Messages start `source:line:`, as compilers do, so
/// editors and terminals can jump to the line.
public enum ImageListError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An item is not a valid image reference; `reason` says which rule it breaks.
    case invalidReference(source: String, line: Int, text: String, reason: ReferenceError)
    /// A `NAME=(` array opened on `line` has no `)`.
    case unterminatedArray(source: String, line: Int)
    /// A line that is neither a reference, a comment, nor part of a bash array, such as
    /// `export FOO=bar` or two references on one line outside an array. `text` is the line.
    case unexpectedText(source: String, line: Int, text: String)
    /// A `"` or `'` without its partner on the same line. `text` is the line.
    case unterminatedQuote(source: String, line: Int, text: String)
    /// The file (or standard input) could not be read; `reason` is the system's.
    case unreadableFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidReference(let source, let line, let text, let reason) where text.contains(" "):
            "\(source):\(line): \(reason) (a reference holds no spaces: give one per line, "
                + "or several in a bash array such as export IMAGES=( \"docker.io/library/busybox:1.29\" ))"
        case .invalidReference(let source, let line, _, let reason):
            // The reference error already quotes the text.
            "\(source):\(line): \(reason)"
        case .unterminatedArray(let source, let line):
            "\(source):\(line): the bash array opened here has no closing \")\"; "
                + "end it with a line holding \")\""
        case .unexpectedText(let source, let line, let text):
            "\(source):\(line): unexpected \"\(text)\"; expected one image reference per line, "
                + "or a bash array such as export IMAGES=( \"docker.io/library/busybox:1.29\" )"
        case .unterminatedQuote(let source, let line, let text):
            // The line is not quoted here: it holds the stray quote, and more quotes would hide it.
            "\(source):\(line): a quote is not closed on this line (an item cannot span lines): \(text)"
        case .unreadableFile(let path, let reason):
            "cannot read image list \(path): \(reason)"
        }
    }
}
