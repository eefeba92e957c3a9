import OCI

/// Why an e2e image list could not be derived from a manifest.go or a repo list. Messages start
/// `file:line:` where there is a line.
public enum E2EManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read; `reason` is the system's.
    case unreadable(path: String, reason: String)
    /// Go source that cannot be tokenized (an unterminated string or comment).
    case syntax(source: String, line: Int, reason: String)
    /// No `configs[ID] = Config{…}` line at all.
    case noConfigs(source: String)
    /// A config or default written in a form this reader does not follow.
    case unsupported(source: String, line: Int, reason: String)
    /// A config's registry names a variable or field the file does not define.
    case unresolved(source: String, line: Int, id: String, name: String)
    /// A registry field with no default and no override.
    case missingDefault(source: String, line: Int, id: String, field: String)
    /// registry/name:version is not a valid image reference.
    case invalidImage(source: String, line: Int, id: String, text: String, reason: ReferenceError)
    /// A `KUBE_TEST_REPO_LIST` file that is not a mapping of registry keys to strings.
    case invalidRepoList(source: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .syntax(let source, let line, let reason):
            "\(source):\(line): not valid Go: \(reason)"
        case .noConfigs(let source):
            "\(source): no `configs[ID] = Config{…}` lines: is this kubernetes' test/utils/image/manifest.go?"
        case .unsupported(let source, let line, let reason):
            "\(source):\(line): \(reason)"
        case .unresolved(let source, let line, let id, let name):
            "\(source):\(line): configs[\(id)] uses \(name), which this file does not define"
        case .missingDefault(let source, let line, let id, let field):
            "\(source):\(line): configs[\(id)] uses RegistryList.\(field), which has no default here"
        case .invalidImage(let source, let line, let id, _, let reason):
            "\(source):\(line): configs[\(id)]: \(reason)"
        case .invalidRepoList(let source, let line, let reason):
            "\(source):\(line): \(reason); expected lines such as `promoterE2eRegistry: registry.example.com/e2e-test-images`"
        }
    }
}
