import Foundation
import Registry

/// One credential from the command line: `[REGISTRY=]USER[:PASS]` (`--creds`, `--src-creds`,
/// `--dest-creds`). With `REGISTRY=` it is for that registry alone; without, for the command's (or
/// side's) registries, which a command may allow only when that is one registry. Its description
/// never shows the password.
struct CredentialSpec: Sendable, Hashable, CustomStringConvertible {
    /// The registry it is for (`host[:port]`, as in references), or `nil`: the command decides.
    var registry: String?
    var username: String
    /// `nil`: ask on a terminal.
    var password: String?

    /// `USER:PASS` splits at the first `:` (a password may hold more; a user name cannot, as in
    /// podman and skopeo); `USER` alone leaves the password to be asked; `USER:` is an empty one.
    /// `REGISTRY=` counts only when what stands before the first `=` is a registry host
    /// (`host.name`, `host:port`, `localhost`): `alice:pa=ss` is alice with the password `pa=ss`.
    init(parsing text: String) throws(CredentialOptionsError) {
        var rest = Substring(text)
        if let equals = text.firstIndex(of: "="), Self.isRegistryHost(text[..<equals]) {
            registry = RegistryEndpoint.registry(named: String(text[..<equals]))
            rest = text[text.index(after: equals)...]
        }
        guard !rest.isEmpty else { throw .empty }
        guard let colon = rest.firstIndex(of: ":") else {
            username = String(rest)
            return
        }
        username = String(rest[..<colon])
        guard !username.isEmpty else { throw .emptyUsername }
        password = String(rest[rest.index(after: colon)...])
    }

    private static func isRegistryHost(_ text: Substring) -> Bool {
        guard text == "localhost" || text.contains(".") || text.contains(":") else { return false }
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            let port = text[text.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else { return false }
        }
        return !text.contains("/") && !text.contains("@")
    }

    /// The credentials, asking for a missing password now, before any transfer starts.
    func credentials(promptPassword: ((String) -> String?)?) throws(CredentialOptionsError) -> Credentials {
        if let password { return Credentials(username: username, password: password) }
        let prompt = registry.map { "Password for \(username)@\($0): " } ?? "Password for \(username): "
        guard let prompted = promptPassword?(prompt) else { throw .passwordNeedsTerminal }
        return Credentials(username: username, password: prompted)
    }

    var description: String { "\(registry.map { "\($0)=" } ?? "")\(username):<redacted>" }
}

/// A credential value that cannot be used. The value itself is never repeated: it may hold a password.
enum CredentialOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case emptyUsername
    case passwordNeedsTerminal
    /// One unqualified credential, several registries: it would reach all of them.
    case ambiguous(flag: String, registries: [String])
    /// `REGISTRY=` names a registry this command never contacts (a typo, or a misread value).
    case unusedRegistry(flag: String, registry: String, registries: [String])

    var description: String {
        switch self {
        case .empty: return "a credential is empty; pass USER:PASS, or USER to be asked for the password"
        case .emptyUsername: return "a credential has no user name before ':'; pass USER:PASS"
        case .passwordNeedsTerminal: return "USER without a password needs a terminal to ask on; pass USER:PASS"
        case .ambiguous(let flag, let registries):
            return "\(flag) USER:PASS would go to every registry of this command (\(registries.joined(separator: ", "))); "
                + "give it per registry as \(flag) REGISTRY=USER:PASS (repeatable), or store logins with `airgap login REGISTRY` "
                + "or in an auth file (--authfile)"
        case .unusedRegistry(let flag, let registry, let registries):
            return "\(flag) names registry \(registry), which this command does not contact (it uses \(registries.joined(separator: ", ")))"
        }
    }
}

/// The command line's credentials, each for its registry alone. A registry asked about that none of
/// them names gets nothing here, and the auth files answer instead.
struct CommandLineCredentials: CredentialProvider {
    /// By registry; the flag each came from, for messages.
    let byRegistry: [String: ResolvedCredentials]

    /// Scopes `specs` to registries: a `REGISTRY=` one to that registry, which must be in
    /// `registries`; an unqualified one to every registry in `unqualifiedScope` — which the caller
    /// makes empty (refused) when sharing a password across registries was not asked for.
    init(
        _ specs: [CredentialSpec], flag: String, registries: Set<String>, unqualifiedScope: Set<String>?,
        promptPassword: ((String) -> String?)?
    ) throws(CredentialOptionsError) {
        var found: [String: ResolvedCredentials] = [:]
        for spec in specs {
            let credentials = try spec.credentials(promptPassword: promptPassword)
            if let registry = spec.registry {
                guard registries.contains(registry) else {
                    throw .unusedRegistry(flag: flag, registry: registry, registries: registries.sorted())
                }
                found[registry] = ResolvedCredentials(credentials: credentials, source: "\(flag) \(registry)=")
            } else {
                guard let scope = unqualifiedScope, !scope.isEmpty else { throw .ambiguous(flag: flag, registries: registries.sorted()) }
                for registry in scope where found[registry] == nil {
                    found[registry] = ResolvedCredentials(credentials: credentials, source: flag)
                }
            }
        }
        byRegistry = found
    }

    func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        byRegistry[host] ?? byRegistry[RegistryEndpoint.registry(named: host)]
    }
}
