/// Finds suites by name among the built-in ones and a stored catalog: what `airgap bundle --suite`
/// and `airgap inventory compare` look names up in. Built-in names come first and cannot be
/// shadowed (`save-suite` refuses them).
public struct SuiteLookup: Sendable {
    /// The user's catalog, when there is one to search.
    public var stored: StoredSuiteCatalog?

    public init(stored: StoredSuiteCatalog?) {
        self.stored = stored
    }

    /// The suite called `name` (exact match).
    /// - Throws: `unknownSuite`, naming every known suite and the closest one, or a catalog error.
    public func suite(named name: String) throws(SuiteCatalogError) -> Suite {
        if let suite = SuiteCatalog.builtIn.first(where: { $0.name == name }) { return suite }
        if let suite = try stored?.suite(named: name) { return suite }
        let known = try all().map(\.name)
        throw .unknownSuite(name, suggestion: SuiteCatalogError.closest(to: name, among: known), known: known)
    }

    /// Every suite: the built-in ones in the seed's order, then the stored ones by name.
    public func all() throws(SuiteCatalogError) -> [Suite] {
        SuiteCatalog.builtIn + (try stored?.suites() ?? [])
    }
}
