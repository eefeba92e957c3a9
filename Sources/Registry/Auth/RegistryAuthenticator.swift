import Foundation

/// Authorizes requests to one registry. It learns the registry's challenge from its first 401, then
/// attaches credentials to every later request up front: Basic as is, Bearer through a token from
/// the realm, cached per scope set and shared by concurrent transfers.
///
/// Credentials are looked up once, lazily (a credential helper is a process), and only ever sent
/// to this registry and to the realm it names: the protocol's own hand-off. The realm is reached
/// with its own host's TLS settings (never this registry's relaxed check or CA), and over plain
/// http only when this registry itself is.
final class RegistryAuthenticator: Sendable {
    /// The registry as users name it (`docker.io`): the key for auth files and helpers.
    let registry: String
    let http: any HTTPClient
    let hostTLS: @Sendable (String) throws -> TLSConfiguration
    let registryUsesPlainHTTP: Bool
    let stallTimeout: Int
    private let credentialLookup: CredentialLookup
    private let tokens = TokenCache()
    private let learned = LearnedChallenge()

    init(
        registry: String, http: any HTTPClient, credentials: any CredentialProvider,
        hostTLS: @escaping @Sendable (String) throws -> TLSConfiguration, registryUsesPlainHTTP: Bool, stallTimeout: Int
    ) {
        self.stallTimeout = stallTimeout
        self.registry = registry
        self.http = http
        self.hostTLS = hostTLS
        self.registryUsesPlainHTTP = registryUsesPlainHTTP
        credentialLookup = CredentialLookup(registry: registry, provider: credentials)
    }

    /// The `Authorization` value for a request needing `scopes`, or `nil` while no challenge is known
    /// (the first request goes out bare; public registries never challenge).
    func authorization(scopes: [String], repository: String?) async throws -> String? {
        guard let challenge = learned.value else { return nil }
        let credentials = try await credentialLookup.resolve(repository: repository)
        switch challenge.scheme {
        case .basic:
            return credentials.map { Self.basic($0.credentials) }
        case .bearer:
            guard let realm = challenge.realm else { return nil }
            let key = TokenCache.Key(realm: realm, service: challenge.service, scopes: scopes.sorted())
            let token = try await tokens.token(for: key) { [self] in
                try await fetchToken(realm: realm, service: challenge.service, scopes: key.scopes, credentials: credentials)
            }
            return "Bearer \(token.value)"
        case .other:
            return nil
        }
    }

    /// What to do after a 401 (or a 403 naming `insufficient_scope`): remember the challenge, drop a
    /// rejected token, and say which scopes to ask for on the one retry. `nil`: retrying is pointless.
    func retryScopes(after response: HTTPResponse, scopes: [String], rejected authorization: String?) async -> [String]? {
        let challenges = AuthChallenge.parse(response.headers.values("WWW-Authenticate"))
        guard let challenge = challenges.first(where: { $0.scheme == .bearer }) ?? challenges.first(where: { $0.scheme == .basic }) else {
            return nil
        }
        let hadChallenge = learned.value != nil
        learned.set(challenge)
        if let authorization, authorization.hasPrefix("Bearer "), let realm = challenge.realm {
            let key = TokenCache.Key(realm: realm, service: challenge.service, scopes: scopes.sorted())
            await tokens.invalidate(key, value: String(authorization.dropFirst("Bearer ".count)))
        }
        if challenge.error == "insufficient_scope", let wanted = challenge.scope {
            let extra = wanted.split(separator: " ").map(String.init).filter { !scopes.contains($0) }
            return extra.isEmpty ? (authorization == nil ? scopes : nil) : scopes + extra
        }
        // A bare first request is expected to be challenged; a rejected token may have expired.
        // Rejected Basic credentials will not improve on a second try.
        if authorization == nil || authorization?.hasPrefix("Bearer ") == true || !hadChallenge { return scopes }
        return nil
    }

    /// Where the credentials in use came from, for error messages (never the secret).
    func credentialSource(repository: String?) async -> String? {
        try? await credentialLookup.resolve(repository: repository)?.source
    }

    static func basic(_ credentials: Credentials) -> String {
        "Basic " + Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
    }
}

/// The challenge a registry last sent: once known, requests are authorized before they go out.
private final class LearnedChallenge: @unchecked Sendable {
    private let lock = NSLock()
    private var challenge: AuthChallenge?
    var value: AuthChallenge? { lock.withLock { challenge } }
    func set(_ new: AuthChallenge) { lock.withLock { challenge = new } }
}

/// Looks credentials up once per repository namespace and remembers the answer (including "none").
private actor CredentialLookup {
    let registry: String
    let provider: any CredentialProvider
    private var answers: [String: ResolvedCredentials?] = [:]

    init(registry: String, provider: any CredentialProvider) {
        self.registry = registry
        self.provider = provider
    }

    func resolve(repository: String?) async throws -> ResolvedCredentials? {
        let key = repository ?? ""
        if let known = answers[key] { return known }
        let found = try await provider.credentials(forRegistry: registry, repository: repository)
        answers[key] = .some(found)
        return found
    }
}
