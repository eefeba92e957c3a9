import ArgumentParser
import Registry

/// TLS and auth-file flags for commands that talk to one registry directly (login).
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("tls-verify"), help: ArgumentHelp(
        "Require https with a verified certificate (false: accept any certificate, and plain http where https is not spoken).",
        valueName: "bool"))
    var tlsVerify: Bool = true

    @Option(name: .customLong("cert-dir"), help: ArgumentHelp(
        "Use the CA certificates (*.crt) and client certificate (*.cert, *.key) in this directory.", valueName: "dir"))
    var certDir: String?

    @Option(name: .customLong("authfile"), help: ArgumentHelp(
        "The auth.json to write (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json).", valueName: "file"))
    var authFile: String?

    /// Access to `registry` alone: the flags reach it and nothing else.
    @OptionGroup var patience: PatienceOptions

    func access(to registry: String, credentials: any CredentialProvider, logger: LoggerFactory) throws -> RegistryAccess {
        patience.tuned(RegistryAccess(
            trust: TrustPolicy(relaxedRegistries: tlsVerify ? [] : [registry], namedRegistries: [registry], certDirectory: certDir),
            registriesConfiguration: try RegistriesConfiguration.load(registriesConf: nil),
            credentials: credentials,
            logger: logger.make("airgap.registry")
        ))
    }
}
