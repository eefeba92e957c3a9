/// What `airgap inventory e2e` reads from Kubernetes' `test/utils/image/manifest.go`: the image
/// configs, the registry list they refer to, and the registry defaults.
///
/// Two eras of the file are understood:
/// - current (v1.2x+): `configs[Agnhost] = Config{list.PromoterE2eRegistry, "agnhost", "2.43"}`
///   inside `initImageConfigs(list RegistryList)`, the defaults in `initRegistry = RegistryList{…}`;
/// - older (≤ v1.2x): `Config{promoterE2eRegistry, "agnhost", "2.20"}` with package variables
///   (`promoterE2eRegistry = registry.PromoterE2eRegistry`, `dockerLibraryRegistry = "docker.io/library"`)
///   and the defaults in `initReg()`'s `RegistryList{…}`.
///
/// In both, a `RegistryList` field's YAML key (its struct tag) is what a `KUBE_TEST_REPO_LIST` file
/// overrides.
struct ManifestGo: Sendable {
    /// An expression naming a registry: a string, a variable, or `something.Field`.
    enum Expression: Sendable, Hashable {
        case string(String)
        case identifier(String)
        case selector(base: String, field: String)
    }

    /// One `configs[ID] = Config{registry, name, version}` line.
    struct Config: Sendable, Hashable {
        var id: String
        var registry: Expression
        var name: Expression
        var version: Expression
        var line: Int
    }

    /// `RegistryList`'s fields in declaration order, with their YAML keys.
    var fields: [(name: String, yamlKey: String)] = []
    /// The defaults: field name → registry, with the line of the value.
    var defaults: [String: (value: String, line: Int)] = [:]
    /// Simple package (and function) variables: name → what it is set to. Package-level ones win
    /// over local ones of the same name.
    var variables: [String: Expression] = [:]
    /// The configs in file order; a later config of the same id replaces an earlier one, as a Go
    /// map assignment does.
    var configs: [Config] = []
    /// True when the file adds CSI driver images from YAML manifests (`appendCSIImageConfigs`),
    /// which no parse of this file can see.
    var appendsCSIImages = false
}
