import ArgumentParser
import Foundation
import Registry

/// How to reach registries: the flags skopeo and podman users know. Shared by every command that
/// talks to a registry.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("tls-verify"), help: ArgumentHelp(
        "Require https with a verified certificate (false: accept any certificate, and plain http where https is not spoken).",
        valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(name: .customLong("mirror"), help: ArgumentHelp(
        "Fetch images named under SOURCE from LOCATION instead, keeping their real names (repeatable). Example: docker.io=registry.lab:5000",
        valueName: "SOURCE=LOCATION"))
    var mirrors: [String] = []

    @Option(name: .customLong("registries-conf"), help: ArgumentHelp(
        "Read mirrors, blocked and insecure registries from this registries.conf (default: $CONTAINERS_REGISTRIES_CONF, the user's, then /etc/containers/registries.conf and its .d drop-ins).",
        valueName: "file"))
    var registriesConf: String?

    @Option(name: .customLong("cert-dir"), help: ArgumentHelp(
        "Use the CA certificates (*.crt) and client certificate (*.cert, *.key) in this directory (default: certs.d directories per registry).",
        valueName: "dir"))
    var certDir: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Trust the CA certificates in this PEM file for https registries.", valueName: "file"))
    var caFile: String?

    @Option(name: .customLong("creds"), help: ArgumentHelp(
        "Credentials for the registries (USER:PASS; USER alone asks for the password on a terminal).", valueName: "user[:pass]"))
    var creds: String?

    @Option(name: .customLong("authfile"), help: ArgumentHelp(
        "The auth.json to read credentials from (default: $REGISTRY_AUTH_FILE, then the containers and docker locations).",
        valueName: "file"))
    var authFile: String?

    func validate() throws {
        for mirror in mirrors {
            do { _ = try MirrorRule(parsing: mirror) } catch { throw ValidationError(error.description) }
        }
        if let creds {
            do { _ = try CredentialOptions.parseCreds(creds) } catch { throw ValidationError(error.description) }
        }
    }

    /// Everything a transfer needs to reach registries; reads registries.conf and asks for a
    /// `--creds` password now, before any transfer starts.
    func access(logger: LoggerFactory) throws -> RegistryAccess {
        let credentials = try ChainedCredentialProvider(
            options: CredentialOptions(creds: creds, authFile: authFile),
            promptPassword: PasswordPrompt.ask)
        return RegistryAccess(
            verifiesTLS: tlsVerify,
            tls: TLSConfiguration(caFile: caFile),
            mirrors: MirrorTable(try mirrors.map { try MirrorRule(parsing: $0) }),
            registriesConfiguration: try RegistriesConfiguration.load(registriesConf: registriesConf),
            certificates: CertificateDirectories(certDir: certDir),
            credentials: credentials,
            logger: logger.make("airgap.registry")
        )
    }
}

/// Reads a password from the terminal without echo; `nil` when there is no terminal to ask.
enum PasswordPrompt {
    @Sendable static func ask(_ prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else { return nil }
        return String(cString: typed)
    }
}
