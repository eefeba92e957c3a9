import Yams

/// Yams' `compose`, bounded for YAML airgap does not control (crictl snapshots, repo lists): the
/// nesting is checked before Yams recurses (``YAMLNesting``), and anchors that aliases repeat are
/// refused after it composed.
///
/// An alias costs Yams nothing (the node is shared), but whoever walks the tree walks the anchored
/// node once per alias, and aliases of aliases multiply: a 600 KB "billion laughs" file expands to
/// gigabytes. Neither crictl nor a hand-written repo list uses anchors, so any repeat is refused.
///
/// Yams 5.0.1 exposes neither parser events nor anchors; what it does expose is each node's start
/// mark, and an alias is the anchored node itself, mark included. Two nodes of the same kind and
/// role (mapping key or not) never start at the same place otherwise, except the empty scalars
/// libyaml makes up for a missing value (which cost nothing and are not checked), so a repeated
/// (role, kind, line, column) is an alias. The walk stops at the first repeat: it visits at most
/// one node per node of the text.
enum BoundedYAML {
    /// Why a text was refused; `line` is 1-based within the text.
    enum Failure: Error, Equatable {
        case tooDeep(line: Int, limit: Int)
        case invalid(line: Int, problem: String)
        case alias(line: Int)

        var line: Int {
            switch self {
            case .tooDeep(let line, _), .invalid(let line, _), .alias(let line): line
            }
        }

        /// What is wrong, in words that fit after `file:line: `.
        var reason: String {
            switch self {
            case .tooDeep(_, let limit):
                "YAML nested too deeply (more than \(limit) levels, or that many non-empty [ and {)"
            case .invalid(_, let problem):
                "not valid YAML: \(problem)"
            case .alias:
                "a YAML alias (*name) repeats the node anchored here (&name); anchors and aliases are not "
                    + "accepted, since each alias would be expanded in full"
            }
        }
    }

    /// The document's root node (`nil` for an empty text), or the first reason to refuse it.
    static func compose(_ text: String, maximumDepth: Int) throws(Failure) -> Node? {
        if let line = YAMLNesting.lineExceeding(maximumDepth, in: text) {
            throw .tooDeep(line: line, limit: maximumDepth)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw .invalid(line: mark.line, problem: problem)
            default:
                throw .invalid(line: 1, problem: "\(error)")
            }
        } catch {
            throw .invalid(line: 1, problem: "\(error)")
        }
        if let root, let line = firstRepeatedNode(in: root) {
            throw .alias(line: line)
        }
        return root
    }

    /// Where a node met twice starts (the anchor's line), or `nil` when every node is met once.
    static func firstRepeatedNode(in root: Node) -> Int? {
        struct Identity: Hashable {
            var isKey: Bool
            var kind: UInt8
            var line: Int
            var column: Int
        }
        var seen: Set<Identity> = []
        var pending: [(node: Node, isKey: Bool)] = [(root, false)]
        while let (node, isKey) = pending.popLast() {
            let kind: UInt8
            switch node {
            case .scalar(let scalar):
                // libyaml's empty scalar for a missing value starts where the next token does.
                if scalar.string.isEmpty && scalar.style == .plain { continue }
                kind = 0
            case .sequence: kind = 1
            case .mapping: kind = 2
            }
            if let mark = node.mark,
                !seen.insert(Identity(isKey: isKey, kind: kind, line: mark.line, column: mark.column)).inserted
            {
                return mark.line
            }
            switch node {
            case .scalar: break
            case .sequence(let sequence): pending += sequence.map { ($0, false) }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append((key, true))
                    pending.append((value, false))
                }
            }
        }
        return nil
    }
}
