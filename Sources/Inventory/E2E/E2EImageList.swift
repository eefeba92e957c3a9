import OCI

/// One image of the e2e suite, from a `configs[ID] = Config{…}` line of manifest.go.
public struct E2EImage: Sendable, Hashable, Codable {
    /// The image's constant in manifest.go, e.g. `Agnhost`.
    public var id: String
    /// `registry/name:version`, normalized.
    public var image: ImageReference
    /// The `RegistryList` key whose registry it uses (what a repo list overrides), when it uses one.
    public var registryKey: String?
    /// The line of its config in manifest.go.
    public var line: Int

    public init(id: String, image: ImageReference, registryKey: String?, line: Int) {
        self.id = id
        self.image = image
        self.registryKey = registryKey
        self.line = line
    }
}

/// The images Kubernetes' e2e tests use, read from `test/utils/image/manifest.go` with the
/// registries a `KUBE_TEST_REPO_LIST` file sets, as `e2e.test` computes them.
///
/// CSI driver images, which newer releases add from YAML manifests, are not in manifest.go and so
/// not here (`notes` says so when the file adds them); `e2e.test --list-images` prints those too.
public struct E2EImageList: Sendable, Hashable, Codable {
    /// The images in manifest.go's order, one per config id.
    public var configs: [E2EImage]
    /// Configs left out: the image on an invalid registry, which exists for tests that expect a
    /// pull to fail.
    public var skipped: [E2EImage]
    /// Things to know about the result: repo-list keys that matched nothing, CSI images not seen.
    public var notes: [String]

    public init(configs: [E2EImage], skipped: [E2EImage] = [], notes: [String] = []) {
        self.configs = configs
        self.skipped = skipped
        self.notes = notes
    }

    /// The distinct images, sorted: what list, bash and mapping print.
    public var imageList: ImageList { ImageList(configs.map(\.image)).sorted }

    /// Reads manifest.go at `path`, with the repo list at `repoListPath` applied when given.
    public static func load(manifest path: String, repoList repoListPath: String?) throws(E2EManifestError) -> E2EImageList {
        let bytes: [UInt8]
        do { bytes = try FileReading.bytes(atPath: path) } catch { throw .unreadable(path: path, reason: error.reason) }
        let repoList = try repoListPath.map { (path) throws(E2EManifestError) in try RepoList.load(contentsOf: path) }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path, repoList: repoList, repoListSource: repoListPath)
    }

    /// The image list of manifest.go's `text`, with `repoList` overriding registries key by key.
    public static func parse(
        _ text: String, source: String, repoList: RepoList? = nil, repoListSource: String? = nil
    ) throws(E2EManifestError) -> E2EImageList {
        let manifest = try ManifestGo.parse(text, source: source)
        let resolver = RegistryResolver(manifest: manifest, source: source, repoList: repoList)
        var result = E2EImageList(configs: [])
        // A Go map assignment replaces an earlier one of the same id; the first one's place is kept.
        var latest: [String: ManifestGo.Config] = [:]
        var order: [String] = []
        for config in manifest.configs {
            if latest.updateValue(config, forKey: config.id) == nil { order.append(config.id) }
        }
        for id in order {
            guard let config = latest[id] else { continue }
            let (image, field) = try resolver.image(of: config)
            if id == "InvalidRegistryImage" || field == "InvalidRegistry" {
                result.skipped.append(image)
            } else {
                result.configs.append(image)
            }
        }
        let known = manifest.fields.map(\.yamlKey)
        for entry in repoList?.entries ?? [] where !known.contains(entry.key) {
            result.notes.append(
                "\(repoListSource ?? "the repo list"): \(entry.key) is not a registry key of this manifest.go, so it is "
                    + "ignored, as e2e.test ignores it; known keys: \(known.joined(separator: ", "))")
        }
        if manifest.appendsCSIImages {
            result.notes.append(
                "\(source) also adds CSI driver images from test/e2e/testing-manifests/storage-csi "
                    + "(appendCSIImageConfigs), which are not listed here; `e2e.test --list-images` prints them")
        }
        return result
    }
}

/// Follows a config's expressions to strings: variables to their values, `x.Field` to the
/// repo list's registry for the field's key, else the default.
private struct RegistryResolver {
    let manifest: ManifestGo
    let source: String
    let overrides: [String: String]

    init(manifest: ManifestGo, source: String, repoList: RepoList?) {
        self.manifest = manifest
        self.source = source
        var overrides: [String: String] = [:]
        for entry in repoList?.entries ?? [] { overrides[entry.key] = entry.registry }
        self.overrides = overrides
    }

    func yamlKey(of field: String) -> String? {
        manifest.fields.first { $0.name == field }?.yamlKey ?? (manifest.defaults[field] != nil ? field.lowercased() : nil)
    }

    /// The config's image, and the `RegistryList` field its registry came from.
    func image(of config: ManifestGo.Config) throws(E2EManifestError) -> (E2EImage, field: String?) {
        let (registry, field) = try resolve(config.registry, in: config)
        let (name, _) = try resolve(config.name, in: config)
        let (version, _) = try resolve(config.version, in: config)
        let text = "\(registry)/\(name):\(version)"
        do {
            let reference = try ImageReference(text)
            return (E2EImage(id: config.id, image: reference, registryKey: field.flatMap(yamlKey(of:)), line: config.line), field)
        } catch {
            throw .invalidImage(source: source, line: config.line, id: config.id, text: text, reason: error)
        }
    }

    private func resolve(_ expression: ManifestGo.Expression, in config: ManifestGo.Config) throws(E2EManifestError)
        -> (String, field: String?)
    {
        var current = expression
        var seen = Set<String>()
        while true {
            switch current {
            case .string(let value):
                return (value, nil)
            case .selector(let base, let field):
                guard let key = yamlKey(of: field) else {
                    throw .unresolved(source: source, line: config.line, id: config.id, name: "\(base).\(field)")
                }
                if let value = overrides[key] ?? manifest.defaults[field]?.value { return (value, field) }
                throw .missingDefault(source: source, line: config.line, id: config.id, field: field)
            case .identifier(let name):
                guard seen.insert(name).inserted, let value = manifest.variables[name] else {
                    throw .unresolved(source: source, line: config.line, id: config.id, name: name)
                }
                current = value
            }
        }
    }
}
