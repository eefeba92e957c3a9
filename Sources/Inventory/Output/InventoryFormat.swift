import Foundation
import OCI
import Yams

/// The forms inventory commands print image lists in.
public enum InventoryFormat: String, Sendable, Hashable, CaseIterable {
    /// One full reference per line, sorted: what `airgap bundle -f` and `xargs` read.
    case list
    /// The seed's `export IMAGES=( … )` array, ready to paste into its loops; `bundle -f` reads it too.
    case bash
    /// A JSON document with the images and the details behind them.
    case json
    /// The same document in YAML.
    case yaml
    /// `SRC=DST` lines for `oc image mirror -f` / `airgap mirror -f`; needs a destination (`--to`).
    case mapping
}

/// Why a result could not be printed in the chosen form.
public enum InventoryOutputError: Error, Sendable, Equatable, CustomStringConvertible {
    case mappingNeedsDestination
    case perNodeMapping
    case encoding(String)

    public var description: String {
        switch self {
        case .mappingNeedsDestination:
            "a mirror mapping needs a destination registry"
        case .perNodeMapping:
            "a mirror mapping lists each image once, not per node"
        case .encoding(let reason):
            "cannot encode the result: \(reason)"
        }
    }
}

/// Rendering shared by every inventory command: lists in list, bash and mapping form, documents
/// in JSON and YAML.
public enum InventoryRendering {
    /// `list` in `format`; `document` is what JSON and YAML show. Text forms end with a newline.
    public static func render(
        _ list: ImageList, as format: InventoryFormat, destination: MirrorDestination?, document: some Encodable
    ) throws(InventoryOutputError) -> String {
        switch format {
        case .list: return list.rendered(as: .list)
        case .bash: return list.rendered(as: .bash)
        case .json: return try json(document)
        case .yaml: return try yaml(document)
        case .mapping:
            guard let destination else { throw .mappingNeedsDestination }
            return destination.mapping(list.references)
        }
    }

    /// Pretty JSON with sorted keys and unescaped slashes (references stay readable), newline-terminated.
    public static func json(_ value: some Encodable) throws(InventoryOutputError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        } catch {
            throw .encoding("\(error)")
        }
    }

    /// YAML in the document's own key order.
    public static func yaml(_ value: some Encodable) throws(InventoryOutputError) -> String {
        do {
            return try YAMLEncoder().encode(value)
        } catch {
            throw .encoding("\(error)")
        }
    }
}

extension ImageList {
    /// The same references sorted by full name: lists printed for people and for diffs are sorted.
    public var sorted: ImageList {
        ImageList(references.sorted { $0.description < $1.description })
    }
}
