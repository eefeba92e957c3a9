import OCI

/// The JSON and YAML form of an e2e list: `images` (distinct, sorted, as `list` prints them) and
/// the configs behind them. Decode it to read a printed list back.
public struct E2EImageDocument: Sendable, Hashable, Codable {
    public var images: [ImageReference]
    public var configs: [E2EImage]
    public var skipped: [E2EImage]
    public var notes: [String]?

    public init(_ list: E2EImageList) {
        images = list.imageList.references
        configs = list.configs
        skipped = list.skipped
        notes = list.notes.isEmpty ? nil : list.notes
    }
}

extension E2EImageList {
    /// The list as text in `format`; `mapping` needs a `destination`.
    public func rendered(as format: InventoryFormat, destination: MirrorDestination? = nil) throws(InventoryOutputError) -> String {
        try InventoryRendering.render(imageList, as: format, destination: destination, document: E2EImageDocument(self))
    }
}
