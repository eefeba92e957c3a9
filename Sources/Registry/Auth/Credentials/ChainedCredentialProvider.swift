/// Providers asked in order; the first with credentials for the registry answers (the CLI's chain:
/// credentials from its command line, then the auth files and their helpers).
public struct ChainedCredentialProvider: CredentialProvider {
    public var providers: [any CredentialProvider]

    public init(_ providers: [any CredentialProvider]) {
        self.providers = providers
    }

    public func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        for provider in providers {
            if let found = try await provider.credentials(forRegistry: host, repository: repository) { return found }
        }
        return nil
    }
}

/// The same credentials for every registry asked: a test's, or a login's (one registry).
public struct FixedCredentials: CredentialProvider {
    public var resolved: ResolvedCredentials

    public init(_ credentials: Credentials, source: String) {
        resolved = ResolvedCredentials(credentials: credentials, source: source)
    }

    public func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        resolved
    }
}
