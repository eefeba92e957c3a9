/// Why crictl snapshots could not be read. Messages start `file:line:` where there is a line, as
/// compilers do, and say what to collect instead.
public enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or directory could not be read; `reason` is the system's.
    case unreadable(path: String, reason: String)
    /// The JSON or YAML is broken or holds a value of the wrong type; `reason` says which.
    case malformed(source: String, line: Int, reason: String)
    /// Text that is neither crictl output nor one of `oc debug`'s own messages. `hint` says what
    /// the text looks like when that is recognizable (an image list, a crictl table).
    case unexpectedText(source: String, line: Int, text: String, hint: String?)
    /// `oc` printed an `error:` line: the output of that node is missing.
    case collectionFailed(source: String, line: Int, text: String)
    /// A file with no crictl output at all.
    case empty(source: String)
    /// A directory with no snapshot files in it.
    case emptyDirectory(path: String)
    /// A file inside a directory holds several outputs; there, one file is one node.
    case severalOutputsInNodeFile(source: String, count: Int)
    /// Two snapshots on the same side name the same node.
    case duplicateNode(node: String, first: String, second: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read snapshot \(path): \(reason)"
        case .malformed(let source, let line, let reason):
            return "\(source):\(line): \(reason)"
        case .unexpectedText(let source, let line, let text, let hint):
            let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
            return "\(source):\(line): unexpected \"\(shown)\": expected the output of `crictl images -o json` "
                + "(or -o yaml)\(hint.map { "; \($0)" } ?? "")"
        case .collectionFailed(let source, let line, let text):
            return "\(source):\(line): oc reported a failure, so a node's output is missing: \(text); "
                + "collect that node again"
        case .empty(let source):
            return "\(source): no crictl output (empty file): did oc debug fail on this node? Collect it again"
        case .emptyDirectory(let path):
            return "\(path): no snapshot files in this directory"
        case .severalOutputsInNodeFile(let source, let count):
            return "\(source): holds \(count) crictl outputs, but a file in a directory is one node's; "
                + "a concatenated file is read by itself, not inside a directory"
        case .duplicateNode(let node, let first, let second):
            return "node \(node) has two snapshots on the same side: \(first) and \(second)"
        }
    }
}
