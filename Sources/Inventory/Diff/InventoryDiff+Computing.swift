
extension InventoryDiff {
    /// Compares each node's snapshot after the run with its snapshot before.
    ///
    /// On a node, an image counts as pulled when its id is new, or when one of its names is: a
    /// retag and a pull by digest of content already there count. Its names are its tags,
    /// normalized (`docker.io/library/…`), and `repository@digest` for a repository it has no tag
    /// in (an image pulled by digest). An image whose id is gone after is reported as removed.
    ///
    /// - Throws: `nodeMissingAfter` when a node has no snapshot after: its images are unknown, and
    ///   silently skipping it could drop suite images.
    public static func between(before: [NodeSnapshot], after: [NodeSnapshot]) throws(InventoryDiffError) -> InventoryDiff {
        var names = NameTable()
        let afterByNode = Dictionary(after.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        for snapshot in before where afterByNode[snapshot.node] == nil {
            throw .nodeMissingAfter(node: snapshot.node, before: snapshot.origin, afterNodes: after.map(\.node).sorted())
        }
        let beforeByNode = Dictionary(before.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        // A node that appears only after is compared with everything any node held before.
        var everyNodeBefore: NameTable.Contents?
        // Ids of new images without any name, and the nodes they appeared on.
        var unnamed: [String: [String]] = [:]

        var changes: [NodeChange] = []
        var pulledAnywhere = Set<Int>(), removedAnywhere = Set<Int>()
        for snapshot in after {
            let previous: NameTable.Contents
            if let earlier = beforeByNode[snapshot.node] {
                previous = names.contents(of: earlier.images)
            } else {
                previous = everyNodeBefore ?? names.contents(of: before.flatMap(\.images))
                everyNodeBefore = previous
            }
            var pulled = Set<Int>()
            var present = Set<Int>(minimumCapacity: snapshot.images.count)
            for image in snapshot.images {
                let entry = names.entry(for: image, node: snapshot.node)
                present.insert(entry.id)
                if previous.ids.contains(entry.id) {
                    for name in entry.shown where !previous.names.contains(name) { pulled.insert(name) }
                } else {
                    pulled.formUnion(entry.shown)
                    if entry.shown.isEmpty { unnamed[image.id, default: []].append(snapshot.node) }
                }
            }
            var removed = Set<Int>()
            if let earlier = beforeByNode[snapshot.node] {
                for image in earlier.images {
                    let entry = names.entry(for: image, node: snapshot.node)
                    if !present.contains(entry.id) { removed.formUnion(entry.shown) }
                }
            }
            pulledAnywhere.formUnion(pulled)
            removedAnywhere.formUnion(removed)
            changes.append(
                NodeChange(
                    node: snapshot.node, pulled: names.sorted(pulled), removed: names.sorted(removed),
                    isNew: beforeByNode[snapshot.node] == nil))
        }
        return InventoryDiff(
            images: names.sorted(pulledAnywhere), removed: names.sorted(removedAnywhere),
            nodes: changes.sorted { $0.node < $1.node },
            notes: names.notes
                + unnamed.sorted { $0.key < $1.key }.map { id, nodes in
                    "image \(id), new on \(nodes.sorted().joined(separator: ", ")), has no name that is a valid reference "
                        + "(crictl shows <none>); it cannot be listed"
                })
    }
}
