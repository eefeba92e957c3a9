import Registry

/// The credential flags every registry command shares: `--creds USER[:PASS]` and `--authfile FILE`,
/// turned into credentials and file locations.
public struct CredentialOptions: Sendable, Hashable {
    /// `--creds` as given. Its description never shows it: it may hold a password.
    public var creds: String?
    /// `--authfile`.
    public var authFile: String?

    public init(creds: String? = nil, authFile: String? = nil) {
        self.creds = creds
        self.authFile = authFile
    }

    /// `USER:PASS` split at the first `:` (a password may contain more; a user name cannot, as in
    /// podman and skopeo). `USER` alone gives a `nil` password: ask for it. `USER:` is an empty password.
    public static func parseCreds(_ text: String) throws(CredentialOptionsError) -> (username: String, password: String?) {
        guard !text.isEmpty else { throw .empty }
        guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
        let username = String(text[..<colon])
        guard !username.isEmpty else { throw .emptyUsername }
        return (username, String(text[text.index(after: colon)...]))
    }

    /// The `--creds` credentials, asking for a missing password through `promptPassword`
    /// (given the prompt text; it reads without echo, and returns `nil` without a terminal).
    /// `nil` when `--creds` was not given.
    public func explicitCredentials(promptPassword: ((String) -> String?)?) throws(CredentialOptionsError) -> Credentials? {
        guard let creds else { return nil }
        let (username, password) = try Self.parseCreds(creds)
        if let password { return Credentials(username: username, password: password) }
        guard let prompted = promptPassword?("Password for \(username): ") else { throw .passwordNeedsTerminal }
        return Credentials(username: username, password: prompted)
    }
}

/// A `--creds` value that cannot be used. The value itself is never repeated: it may hold a password.
public enum CredentialOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case emptyUsername
    case passwordNeedsTerminal

    public var description: String {
        switch self {
        case .empty: return "--creds is empty; pass USER:PASS, or USER to be asked for the password"
        case .emptyUsername: return "--creds has no user name before ':'; pass USER:PASS"
        case .passwordNeedsTerminal: return "--creds USER without a password needs a terminal, or pass USER:PASS"
        }
    }
}

extension CredentialOptions: CustomStringConvertible {
    public var description: String {
        "CredentialOptions(creds: \(creds == nil ? "nil" : "<redacted>"), authFile: \(authFile ?? "nil"))"
    }
}

extension ChainedCredentialProvider {
    /// `--creds` (asking for a missing password now, before any transfer starts), then the auth files
    /// of `locations` (by default this process's, with `--authfile` from `options`).
    init(
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
}
