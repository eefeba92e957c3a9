import OCI

extension MirrorDestination {
    /// `SRC=DST` lines, one per reference in order, as `oc image mirror -f` and `airgap mirror -f`
    /// read them.
    public func mapping(_ references: [ImageReference]) -> String {
        references.map { "\($0)=\(mappingTarget(for: $0))\n" }.joined()
    }

    /// Destinations that several different references would be written to (`docker.io/a/x:1` and
    /// `quay.io/a/x:1` both become `DEST/a/x:1`), with those references.
    public func collisions(_ references: [ImageReference]) -> [(destination: String, sources: [ImageReference])] {
        let grouped = Dictionary(grouping: ImageList(references).references, by: mappingTarget(for:))
        return grouped.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
