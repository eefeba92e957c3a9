import ArgumentParser
import Foundation
import OCI
import Registry

/// skopeo copy's per-side flags for commands that copy from registries into registries (mirror,
/// support-tools): each reaches only the registries of its side. The shared ``RegistryOptions``
/// flags are shorthands for both sides: `--tls-verify`, `--cert-dir`, `--authfile` and
/// `--ca-file` apply to each side unless the side's own flag says otherwise; `--creds` without
/// `REGISTRY=` is taken only when both sides are one registry.
struct CopySideOptions: ParsableArguments {
    @Option(name: .customLong("src-creds"), help: ArgumentHelp(
        "Credentials for the source registries only ([REGISTRY=]USER[:PASS], repeatable).", valueName: "[registry=]user[:pass]"))
    var sourceCreds: [String] = []

    @Option(name: .customLong("dest-creds"), help: ArgumentHelp(
        "Credentials for the destination registries only ([REGISTRY=]USER[:PASS], repeatable).", valueName: "[registry=]user[:pass]"))
    var destinationCreds: [String] = []

    @Option(name: .customLong("src-authfile"), help: ArgumentHelp("The auth.json for the source registries.", valueName: "file"))
    var sourceAuthFile: String?

    @Option(name: .customLong("dest-authfile"), help: ArgumentHelp("The auth.json for the destination registries.", valueName: "file"))
    var destinationAuthFile: String?

    @Option(name: .customLong("src-tls-verify"), help: ArgumentHelp(
        "Require verified https from the source registries (false: accept any certificate, and plain http).", valueName: "bool"))
    var sourceTLSVerify: Bool?

    @Option(name: .customLong("dest-tls-verify"), help: ArgumentHelp(
        "Require verified https from the destination registries (false: accept any certificate, and plain http).", valueName: "bool"))
    var destinationTLSVerify: Bool?

    @Option(name: .customLong("src-cert-dir"), help: ArgumentHelp(
        "CA certificates and client certificate for the source registries (a certs.d-style directory).", valueName: "dir"))
    var sourceCertDir: String?

    @Option(name: .customLong("dest-cert-dir"), help: ArgumentHelp(
        "CA certificates and client certificate for the destination registries (a certs.d-style directory).", valueName: "dir"))
    var destinationCertDir: String?

    /// One access per side, as skopeo copy has a source and a destination context: what the user
    /// gave for a side reaches the registries of that side only. The source side pulls through
    /// `--mirror` rules and registries.conf; the destination side is pushed to as named.
    func accesses(
        sources: [ImageReference], destinations: Set<String>, shared: RegistryOptions, logger: LoggerFactory
    ) throws -> (source: RegistryAccess, destination: RegistryAccess) {
        let mirrors = try shared.mirrorTable()
        let pulls = PullHosts(sources, mirrors: mirrors)
        let configuration = try RegistriesConfiguration.load(registriesConf: shared.registriesConf)
        let everywhere = pulls.contacted.union(destinations)
        // `--creds USER:PASS` would reach both sides: only when both sides are one registry.
        let shorthand = try shared.credentialSpecs(shared.creds)
        let bothSides = everywhere.count == 1 ? everywhere : nil

        let sourceCredentials = try CommandLineCredentials(
            try shared.credentialSpecs(sourceCreds), flag: "--src-creds", registries: pulls.contacted,
            unqualifiedScope: pulls.referenced, promptPassword: PasswordPrompt.ask)
        let destinationCredentials = try CommandLineCredentials(
            try shared.credentialSpecs(destinationCreds), flag: "--dest-creds", registries: destinations,
            unqualifiedScope: destinations, promptPassword: PasswordPrompt.ask)
        let shorthandCredentials = try CommandLineCredentials(
            shorthand, flag: "--creds", registries: everywhere, unqualifiedScope: bothSides, promptPassword: PasswordPrompt.ask)

        func access(
            named: Set<String>, verify: Bool, certDir: String?, authFile: String?, credentials: CommandLineCredentials, mirrors: MirrorTable
        ) -> RegistryAccess {
            shared.tuned(RegistryAccess(
                trust: TrustPolicy(relaxedRegistries: verify ? [] : named, namedRegistries: named, caFile: shared.caFile, certDirectory: certDir),
                mirrors: mirrors,
                registriesConfiguration: configuration,
                credentials: ChainedCredentialProvider([
                    credentials, shorthandCredentials, AuthFileSearch(locations: .current(authFile: authFile ?? shared.authFile)),
                ]),
                logger: logger.make("airgap.registry")))
        }
        return (
            access(
                named: pulls.named, verify: sourceTLSVerify ?? shared.tlsVerify, certDir: sourceCertDir ?? shared.certDir,
                authFile: sourceAuthFile, credentials: sourceCredentials, mirrors: mirrors),
            access(
                named: destinations, verify: destinationTLSVerify ?? shared.tlsVerify, certDir: destinationCertDir ?? shared.certDir,
                authFile: destinationAuthFile, credentials: destinationCredentials, mirrors: MirrorTable())
        )
    }
}
