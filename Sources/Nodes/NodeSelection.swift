/// Which nodes the procedure visits.
public enum NodeSelection: Sendable, Hashable {
    /// Every node: `oc get nodes -o name`.
    case all
    /// These nodes, as `node/NAME`, in the order given.
    case named([String])
    /// The nodes matching a label selector: `oc get nodes -o name -l SELECTOR`.
    case selector(String)

    var isSelector: Bool {
        if case .selector = self { true } else { false }
    }

    /// `--nodes a,node/b` as `node/a`, `node/b`: each name must be a Kubernetes node name (an RFC 1123
    /// subdomain), with or without `node/` or `nodes/` in front. Duplicates are dropped.
    public static func named(parsing list: [String]) throws(NodeSelectionError) -> NodeSelection {
        var nodes: [String] = []
        for item in list.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            var name = Substring(item.trimmingCharacters(in: .whitespaces))
            for prefix in ["node/", "nodes/"] where name.hasPrefix(prefix) {
                name = name.dropFirst(prefix.count)
            }
            guard isNodeName(name) else { throw .invalidNodeName(String(item)) }
            if !nodes.contains("node/\(name)") { nodes.append("node/\(name)") }
        }
        guard !nodes.isEmpty else { throw .noNodes }
        return .named(nodes)
    }

    /// A label selector is passed to `oc` as one quoted argument; it only has to be one line.
    public static func selector(parsing text: String) throws(NodeSelectionError) -> NodeSelection {
        let selector = text.trimmingCharacters(in: .whitespaces)
        guard !selector.isEmpty, !selector.contains(where: \.isNewline), !selector.unicodeScalars.contains("\0") else {
            throw .invalidSelector(text)
        }
        return .selector(selector)
    }

    /// An RFC 1123 subdomain, as Kubernetes requires of node names: dot-separated labels of
    /// lowercase letters, digits and inner hyphens, 253 characters at most.
    static func isNodeName(_ name: Substring) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            let allowed = label.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            return allowed && first != "-" && last != "-"
        }
    }
}

/// A node list or label selector that cannot be used.
public enum NodeSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidNodeName(String)
    case noNodes
    case invalidSelector(String)

    public var description: String {
        switch self {
        case .invalidNodeName(let name):
            "\(name.debugDescription) is not a node name (lowercase letters, digits, '-' and '.', as "
                + "`oc get nodes` lists them)"
        case .noNodes:
            "no node is named"
        case .invalidSelector(let text):
            "\(text.debugDescription) is not a label selector, e.g. node-role.kubernetes.io/worker="
        }
    }
}
