import ArgumentParser
import Foundation
import OCI
import Registry

/// How to reach registries: the flags skopeo and podman users know. Shared by every command that
/// talks to registries; what each flag reaches is decided per host (``TrustPolicy``,
/// ``CommandLineCredentials``), so nothing given for one registry reaches another.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("tls-verify"), help: ArgumentHelp(
        "Require https with a verified certificate. false accepts any certificate (and plain http where https is not spoken) for the registries this command names, not for token services or storage they send us to.",
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
        "Use the CA certificates (*.crt) and client certificate (*.cert, *.key) in this directory for the registries this command names (others use their certs.d directories).",
        valueName: "dir"))
    var certDir: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Also trust the CA certificates in this PEM file (besides the system's and certs.d's) for the registries this command names.",
        valueName: "file"))
    var caFile: String?

    @Option(name: .customLong("creds"), help: ArgumentHelp(
        "Credentials: REGISTRY=USER:PASS for that registry (repeatable), or USER:PASS when the images come from one registry. USER alone asks for the password on a terminal.",
        valueName: "[registry=]user[:pass]"))
    var creds: [String] = []

    @Option(name: .customLong("authfile"), help: ArgumentHelp(
        "The auth.json to read credentials from (default: $REGISTRY_AUTH_FILE, then the containers and docker locations).",
        valueName: "file"))
    var authFile: String?

    @OptionGroup var patience: PatienceOptions

    /// `access` with this command's retry budget and stall timeout.
    func tuned(_ access: RegistryAccess) -> RegistryAccess { patience.tuned(access) }

    func validate() throws {
        _ = try mirrorTable()
        _ = try credentialSpecs(creds)
    }

    func mirrorTable() throws -> MirrorTable {
        do {
            return MirrorTable(try mirrors.map { try MirrorRule(parsing: $0) })
        } catch {
            throw ValidationError("--mirror: \(error)")
        }
    }

    func credentialSpecs(_ values: [String]) throws -> [CredentialSpec] {
        do {
            return try values.map { try CredentialSpec(parsing: $0) }
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Everything a command that pulls `references` needs (bundle): `--tls-verify=false`, `--cert-dir`
    /// and `--ca-file` reach the registries the command pulls from first (the references' own,
    /// except where a `--mirror` rule covers them, and the mirror locations); `--creds` reaches the
    /// registry it names, or the one registry the references come from.
    func access(pulling references: [ImageReference], logger: LoggerFactory) throws -> RegistryAccess {
        let mirrors = try mirrorTable()
        let hosts = PullHosts(references, mirrors: mirrors)
        let credentials = try CommandLineCredentials(
            try credentialSpecs(creds), flag: "--creds", registries: hosts.contacted,
            unqualifiedScope: hosts.contacted.count == 1 ? hosts.contacted : nil, promptPassword: PasswordPrompt.ask)
        return tuned(RegistryAccess(
            trust: TrustPolicy(
                relaxedRegistries: tlsVerify ? [] : hosts.named, namedRegistries: hosts.named, caFile: caFile, certDirectory: certDir),
            mirrors: mirrors,
            registriesConfiguration: try RegistriesConfiguration.load(registriesConf: registriesConf),
            credentials: ChainedCredentialProvider([credentials, AuthFileSearch(locations: .current(authFile: authFile))]),
            logger: logger.make("airgap.registry")))
    }
}

/// The registries a pull may contact, as far as the command line says.
struct PullHosts {
    /// The references' own registries.
    var referenced: Set<String>
    /// What the user named as places to pull from: the registries of references no `--mirror` rule
    /// covers, and every `--mirror` location. The original registry behind a rule is only a
    /// fallback the user did not choose, so a relaxation given for the command does not reach it.
    var named: Set<String>
    /// Every registry the command's own flags can send it to (registries.conf aside).
    var contacted: Set<String> { referenced.union(named) }

    init(_ references: [ImageReference], mirrors: MirrorTable) {
        referenced = Set(references.map(\.domain))
        let locations = mirrors.rules.map { String($0.location.prefix { $0 != "/" }) }
        named = Set(references.filter { reference in !mirrors.rules.contains { $0.matches(name: reference.name) } }.map(\.domain))
            .union(locations)
    }
}

/// Reads a password from the terminal without echo; `nil` when there is no terminal to ask.
enum PasswordPrompt {
    @Sendable static func ask(_ prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1, let typed = getpass(prompt) else { return nil }
        return String(cString: typed)
    }
}
