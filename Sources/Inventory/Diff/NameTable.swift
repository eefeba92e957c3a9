import OCI

/// Interns image ids and names as integers, so that the per-node sets hash integers, and each
/// distinct name is parsed and normalized once however many nodes list it.
///
/// The same image (same id and names) is on most nodes of a cluster: what it contributes is
/// worked out once and found again by its id, so a 500-node diff costs one lookup per image.
struct NameTable {
    /// A node's content before the run: its image ids, and every name (tags and digests).
    struct Contents {
        var ids = Set<Int>()
        var names = Set<Int>()
    }

    /// What one crictl image contributes to a diff, worked out once.
    struct Entry {
        var repoTags: [String]
        var repoDigests: [String]
        /// The interned id.
        var id: Int
        /// Every valid name: tags and `repository@digest`s.
        var names: [Int]
        /// The names it is listed under: its tags, and `repository@digest` for each repository
        /// it has a digest in but no tag.
        var shown: [Int]
    }

    /// Entries by crictl id; several when nodes list the same content under different names.
    private var entries: [String: [Entry]] = [:]
    private var idCount = 0
    /// Raw name → its interned reference, or `nil` when the name is not a valid reference.
    private var rawNames: [String: Int?] = [:]
    private var referenceNumbers: [ImageReference: Int] = [:]
    private(set) var references: [ImageReference] = []
    private var descriptions: [String] = []
    private(set) var notes: [String] = []

    mutating func entry(for image: CrictlImage, node: String?) -> Entry {
        let known = entries[image.id]
        if let match = known?.first(where: { $0.repoTags == image.repoTags && $0.repoDigests == image.repoDigests }) {
            return match
        }
        let id = known?.first?.id ?? nextID()
        var names: [Int] = [], shown: [Int] = []
        var taggedRepositories: [String] = []
        for raw in image.repoTags {
            guard let name = reference(raw, node: node, asTag: true) else { continue }
            names.append(name)
            shown.append(name)
            taggedRepositories.append(references[name].name)
        }
        for raw in image.repoDigests {
            guard let name = reference(raw, node: node) else { continue }
            names.append(name)
            if !taggedRepositories.contains(references[name].name) { shown.append(name) }
        }
        let entry = Entry(repoTags: image.repoTags, repoDigests: image.repoDigests, id: id, names: names, shown: shown)
        entries[image.id, default: []].append(entry)
        return entry
    }

    mutating func contents(of images: [CrictlImage]) -> Contents {
        var contents = Contents()
        contents.ids.reserveCapacity(images.count)
        contents.names.reserveCapacity(images.count * 2)
        for image in images {
            let entry = entry(for: image, node: nil)
            contents.ids.insert(entry.id)
            contents.names.formUnion(entry.names)
        }
        return contents
    }

    private mutating func nextID() -> Int {
        idCount += 1
        return idCount
    }

    /// CRI-O's stand-ins for a missing name (cri-o/cri-o#2455): `<none>:<none>` and
    /// `<none>@<none>` for an image without tags or digests, and `<none>` in the tag or digest
    /// place (`repo@sha256:<none>`). They name nothing, and are known: no note for them.
    static func isPlaceholder(_ raw: String) -> Bool {
        raw.hasPrefix("<none>") || raw.hasSuffix(":<none>") || raw.hasSuffix("@<none>")
    }

    /// The interned reference of `raw`, or `nil` when it names nothing. `asTag`: it comes from
    /// `repoTags`, where a name without a tag is worth a note (it is read as `:latest`).
    private mutating func reference(_ raw: String, node: String?, asTag: Bool = false) -> Int? {
        if let known = rawNames[raw] { return known }
        if Self.isPlaceholder(raw) {
            rawNames[raw] = .some(nil)
            return nil
        }
        let number: Int?
        do {
            let reference = try ImageReference(raw)
            if asTag, reference.isTagImplied {
                notes.append(
                    "\(node.map { "\($0): " } ?? "")crictl lists the tag \"\(raw)\" without a tag; it is read as \(reference), "
                        + "as podman and docker read a name without one")
            }
            if let existing = referenceNumbers[reference] {
                number = existing
            } else {
                number = references.count
                referenceNumbers[reference] = references.count
                references.append(reference)
                descriptions.append(reference.description)
            }
        } catch {
            number = nil
            notes.append(
                "\(node.map { "\($0): " } ?? "")crictl lists the name \"\(raw)\", which is not a valid image reference (\(error)); it is left out"
            )
        }
        rawNames[raw] = number
        return number
    }

    func sorted(_ numbers: Set<Int>) -> [ImageReference] {
        numbers.sorted { descriptions[$0] < descriptions[$1] }.map { references[$0] }
    }
}
