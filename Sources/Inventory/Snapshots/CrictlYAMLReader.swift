import Yams

/// Reads `crictl images -o yaml` output: the same data as the JSON form, keys sorted
/// (`images:` / `- id: …` / `repoDigests:` …), one document per output.
enum CrictlYAMLReader {
    /// Parses one output. `firstLine` is the line of `text` within its file, so errors point there.
    static func read(_ text: String, firstLine: Int, source: String) throws(SnapshotError) -> [CrictlImage] {
        let root: Node?
        do {
            root = try BoundedYAML.compose(text, maximumDepth: CrictlJSONReader.maximumDepth)
        } catch {
            let remark =
                switch error {
                case .tooDeep: "; crictl does not write this"
                case .alias: "; crictl never writes them"
                case .invalid: ""
                }
            throw .malformed(source: source, line: firstLine - 1 + error.line, reason: error.reason + remark)
        }
        let reader = NodeReader(source: source, lineOffset: firstLine - 1)
        guard let root, case .mapping(let mapping) = root else {
            throw .malformed(source: source, line: firstLine, reason: "expected a mapping with \"images:\"")
        }
        guard let images = mapping["images"] else {
            throw reader.fault(root, "no \"images\" key: this YAML is not the output of `crictl images -o yaml`")
        }
        if images.null != nil { return [] }
        guard case .sequence(let sequence) = images else { throw reader.fault(images, "\"images\" must be a list") }
        return try sequence.map { (node) throws(SnapshotError) in try reader.image(node) }
    }
}

/// Turns Yams nodes into images, naming the line of any value of the wrong type.
private struct NodeReader {
    let source: String
    let lineOffset: Int

    func fault(_ node: Node, _ reason: String) -> SnapshotError {
        .malformed(source: source, line: lineOffset + (node.mark?.line ?? 1), reason: reason)
    }

    func image(_ node: Node) throws(SnapshotError) -> CrictlImage {
        guard case .mapping(let fields) = node else { throw fault(node, "each image must be a mapping") }
        guard let idNode = fields["id"] else { throw fault(node, "an image without an \"id\"") }
        guard case .scalar(let id) = idNode, idNode.null == nil else { throw fault(idNode, "\"id\" must be a string") }
        var image = CrictlImage(id: id.string)
        if let tags = fields["repoTags"] { image.repoTags = try strings(tags, named: "repoTags") }
        if let digests = fields["repoDigests"] { image.repoDigests = try strings(digests, named: "repoDigests") }
        if let size = fields["size"], size.null == nil {
            guard case .scalar(let scalar) = size, let bytes = UInt64(scalar.string) else {
                throw fault(size, "\"size\" must be a whole number of bytes")
            }
            image.size = bytes
        }
        if let pinned = fields["pinned"], pinned.null == nil {
            guard let value = pinned.bool else { throw fault(pinned, "\"pinned\" must be true or false") }
            image.pinned = value
        }
        return image
    }

    private func strings(_ node: Node, named name: String) throws(SnapshotError) -> [String] {
        if node.null != nil { return [] }
        guard case .sequence(let items) = node else { throw fault(node, "\"\(name)\" must be a list of strings") }
        return try items.map { (item) throws(SnapshotError) in
            guard case .scalar(let scalar) = item else { throw fault(item, "\"\(name)\" must hold strings") }
            return scalar.string
        }
    }
}
