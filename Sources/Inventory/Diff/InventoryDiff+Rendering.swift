import OCI

/// The JSON and YAML form of a diff: `images` (the union), `removed`, and with `--per-node` each
/// node's changes. Decode it to read a printed diff back.
public struct InventoryDiffDocument: Sendable, Hashable, Codable {
    public var images: [ImageReference]
    public var removed: [ImageReference]
    public var nodes: [NodeChange]?
    public var notes: [String]?

    public init(_ diff: InventoryDiff, perNode: Bool) {
        images = diff.images
        removed = diff.removed
        nodes = perNode ? diff.nodes : nil
        notes = diff.notes.isEmpty ? nil : diff.notes
    }
}

extension InventoryDiff {
    /// The diff as text in `format`: the union of pulled images, or with `perNode` each node's
    /// images under a `# NODE` comment (list) or in its own `IMAGES_NODE` array (bash). Removed
    /// images appear in the per-node views as comments, and in JSON and YAML.
    public func rendered(
        as format: InventoryFormat, perNode: Bool = false, destination: MirrorDestination? = nil
    ) throws(InventoryOutputError) -> String {
        let document = InventoryDiffDocument(self, perNode: perNode)
        guard perNode else {
            return try InventoryRendering.render(imageList, as: format, destination: destination, document: document)
        }
        switch format {
        case .list: return perNodeList()
        case .bash: return perNodeBash()
        case .json, .yaml: return try InventoryRendering.render(imageList, as: format, destination: nil, document: document)
        case .mapping: throw .perNodeMapping
        }
    }

    private func perNodeList() -> String {
        nodes.map { change in
            header(change) + change.pulled.map { "\($0)\n" }.joined()
                + change.removed.map { "# removed: \($0)\n" }.joined()
        }.joined(separator: "\n")
    }

    private func perNodeBash() -> String {
        var used = Set<String>()
        return nodes.map { change in
            var name = Self.variableName(for: change.node)
            var suffix = 2
            while !used.insert(name).inserted {
                name = Self.variableName(for: change.node) + "_\(suffix)"
                suffix += 1
            }
            return header(change) + change.removed.map { "# removed: \($0)\n" }.joined()
                + ImageList(change.pulled).bashArray(named: name)
        }.joined(separator: "\n")
    }

    private func header(_ change: NodeChange) -> String {
        var parts = ["\(change.pulled.count) pulled"]
        if !change.removed.isEmpty { parts.append("\(change.removed.count) removed") }
        if change.isNew { parts.append("new node, compared with every node before") }
        // Node names come from snapshot files and oc debug's lines: a line break in one would end
        // the comment (in bash output, start a command), an ESC would reach the terminal.
        return "# \(VisibleText.escaping(change.node)): \(parts.joined(separator: ", "))\n"
    }

    /// `IMAGES_` and the node name in capitals, anything but letters and digits as `_`:
    /// `worker-0.example.com` → `IMAGES_WORKER_0_EXAMPLE_COM`.
    static func variableName(for node: String) -> String {
        "IMAGES_" + String(node.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}
