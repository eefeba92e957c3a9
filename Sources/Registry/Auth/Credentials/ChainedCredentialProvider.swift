/// Providers asked in order; the first with credentials for the registry answers. The CLI's chain is
/// `--creds`, then the auth files and their helpers (``init(options:locations:helperSearchPath:promptPassword:)``).
public struct ChainedCredentialProvider: CredentialProvider {
    public var providers: [any CredentialProvider]

    public init(_ providers: [any CredentialProvider]) {
        self.providers = providers
    }

    /// `--creds` (asking for a missing password now, before any transfer starts), then the auth files
    /// of `locations` (by default this process's, with `--authfile` from `options`).
    public init(
        options: CredentialOptions,
        locations: AuthFileLocations? = nil,
        helperSearchPath: [String] = CredentialHelper.pathDirectories(),
        promptPassword: ((String) -> String?)?
    ) throws(CredentialOptionsError) {
        var providers: [any CredentialProvider] = []
        if let explicit = try options.explicitCredentials(promptPassword: promptPassword) {
            providers.append(FixedCredentials(explicit, source: "--creds"))
        }
        providers.append(AuthFileSearch(locations: locations ?? .current(authFile: options.authFile), helperSearchPath: helperSearchPath))
        self.init(providers)
    }

    public func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        for provider in providers {
            if let found = try await provider.credentials(forRegistry: host, repository: repository) { return found }
        }
        return nil
    }
}

/// The same credentials for every registry: `--creds`, or a test's.
public struct FixedCredentials: CredentialProvider {
    public var resolved: ResolvedCredentials

    public init(_ credentials: Credentials, source: String) {
        resolved = ResolvedCredentials(credentials: credentials, source: source)
    }

    public func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        resolved
    }
}
