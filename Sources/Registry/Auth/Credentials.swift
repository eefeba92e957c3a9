/// A username and secret for one registry. The description never shows the secret, so a
/// `Credentials` value can be logged or interpolated into an error safely.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    public var username: String
    public var password: String
    /// An OAuth2 refresh token (`identitytoken` in auth.json): exchanged at the token endpoint
    /// with `grant_type=refresh_token` instead of sending the password.
    public var identityToken: String?

    public init(username: String, password: String, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }

    public var description: String { "Credentials(username: \(username), secret: <redacted>)" }
}

/// Credentials together with where they came from, so an "unauthorized" error can say which source
/// to fix (the auth file and key, a helper, `--creds`) without showing the secret.
public struct ResolvedCredentials: Sendable, Hashable {
    public var credentials: Credentials
    /// Human words for the source: `--creds`, `/root/.config/containers/auth.json (registry.example.com)`,
    /// `credential helper docker-credential-pass`.
    public var source: String

    public init(credentials: Credentials, source: String) {
        self.credentials = credentials
        self.source = source
    }
}

/// Finds credentials for a registry host (and repository, for auth files keyed by namespace).
/// Implementations: the auth.json/config.json search, credential helpers, `--creds`.
public protocol CredentialProvider: Sendable {
    /// `host` is the registry as the user names it (`docker.io`, not `registry-1.docker.io`);
    /// `repository` is the path, for keys like `host/namespace`. `nil` when none are configured.
    func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials?
}

/// No credentials anywhere: anonymous access only.
public struct NoCredentials: CredentialProvider {
    public init() {}
    public func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? { nil }
}
