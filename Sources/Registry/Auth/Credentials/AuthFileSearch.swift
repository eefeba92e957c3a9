/// Credentials from the auth files and the credential helpers they name, found as podman and skopeo
/// find them (containers/image, `getCredentialsWithHomeDir`): the files of ``AuthFileLocations``
/// are read in order, and the first file with an answer for the registry wins.
///
/// Within one file: `credHelpers[host]`, else the most specific `auths` key, else `credsStore`
/// (see ``AuthFile/match(host:repository:)``). docker itself asks `credsStore` before `auths`;
/// asking it last instead means a config.json copied with `"credsStore": "desktop"` still serves
/// the `auths` entries it holds, and docker's own `{}` markers for stored registries fall through
/// to the store as before.
///
/// Files are read at every lookup, so a `login` in another terminal takes effect; lookups are rare
/// (once per registry and command), and the files small.
public struct AuthFileSearch: CredentialProvider {
    public var locations: AuthFileLocations
    /// Directories searched for `docker-credential-NAME`.
    public var helperSearchPath: [String]
    public var helperTimeout: Duration

    public init(
        locations: AuthFileLocations = .current(),
        helperSearchPath: [String] = CredentialHelper.pathDirectories(),
        helperTimeout: Duration = .seconds(30)
    ) {
        self.locations = locations
        self.helperSearchPath = helperSearchPath
        self.helperTimeout = helperTimeout
    }

    public func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        for path in locations.searchPaths {
            guard let file = try AuthFile.load(path: path) else {
                // A file the user named must exist: a typo should not quietly mean anonymous pulls.
                if path == locations.explicitFile {
                    throw AuthFileError.namedFileMissing(path: path)
                }
                continue
            }
            if let found = try await credentials(in: file, host: host, repository: repository) { return found }
        }
        return nil
    }

    /// What one file yields; `nil` sends the search on to the next file.
    func credentials(in file: AuthFile, host: String, repository: String?) async throws -> ResolvedCredentials? {
        switch file.match(host: host, repository: repository) {
        case nil:
            return nil
        case .entry(let key, let entry):
            return try file.credentials(key: key, entry: entry).map {
                ResolvedCredentials(credentials: $0, source: "\(file.path) (key \(key))")
            }
        case .helper(let name), .store(let name):
            let helper = CredentialHelper(name: name, searchPath: helperSearchPath, timeout: helperTimeout)
            return try await helper.get(serverURL: AuthFileKey.helperServerURL(forHost: host)).map {
                ResolvedCredentials(credentials: $0, source: "credential helper \(helper.program)")
            }
        }
    }
}
