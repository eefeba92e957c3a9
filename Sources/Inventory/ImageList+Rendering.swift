/// The text forms an `ImageList` can be written in; both parse back to the same list.
public enum ImageListFormat: String, Sendable, Hashable, CaseIterable {
    /// One full reference per line.
    case list
    /// The seed's `export IMAGES=( … )` array, ready to paste into its bash loops.
    case bash
}

extension ImageList {
    /// The list as text in `format`, ending with a newline. References are written in their
    /// full normalized form (`docker.io/library/busybox:1.29`), which every tool reads alike.
    public func rendered(as format: ImageListFormat) -> String {
        switch format {
        case .list:
            return references.map { "\($0)\n" }.joined()
        case .bash:
            return bashArray(named: "IMAGES")
        }
    }

    /// The seed's `export NAME=( … )` array. Six spaces before items and `)`: the seed's own
    /// indentation, so a rendered list diffs cleanly against the document.
    public func bashArray(named name: String) -> String {
        let items = references.map { "      \"\($0)\"\n" }.joined()
        return "export \(name)=(\n" + items + "      )\n"
    }
}
