import Registry

/// `--dest-creds`: credentials for the destination registry only, asked before the general chain.
struct DestinationCredentials: CredentialProvider {
    let registry: String
    let credentials: Credentials

    static func chain(_ text: String, registry: String, before rest: any CredentialProvider) throws -> any CredentialProvider {
        let parsed = try CredentialOptions.parseCreds(text)
        guard let password = parsed.password ?? PasswordPrompt.ask("Password for \(parsed.username)@\(registry): ") else {
            throw CredentialOptionsError.passwordNeedsTerminal
        }
        let own = DestinationCredentials(registry: registry, credentials: Credentials(username: parsed.username, password: password))
        return ChainedCredentialProvider([own, rest])
    }

    func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
        host == registry ? ResolvedCredentials(credentials: credentials, source: "--dest-creds") : nil
    }
}
