import Foundation
import Logging
import OCI

/// How to reach registries for one command: TLS policy, mirrors, retries — the options skopeo and
/// podman users know (`--tls-verify=false`, `--mirror`/registries.conf).
public struct RegistryAccess: Sendable {
    /// `false` is skopeo's `--tls-verify=false`: https without certificate checks, and plain http
    /// where the registry does not speak https.
    public var verifiesTLS: Bool
    /// Registries treated as if `--tls-verify=false` were given for them alone (`host[:port]`).
    public var insecureRegistries: Set<String>
    /// CA bundle and client certificate settings applied to every https registry.
    public var tls: TLSConfiguration
    /// `--mirror SOURCE=LOCATION` rules: they decide for the names they cover.
    public var mirrors: MirrorTable
    /// registries.conf: mirrors, blocked and insecure registries for every other name.
    public var registriesConfiguration: RegistriesConfiguration?
    /// containers-certs.d(5) directories (or `--cert-dir`): per-registry CAs and client certificates.
    public var certificates: CertificateDirectories?
    /// Where credentials come from: `--creds`, auth files, credential helpers.
    public var credentials: any CredentialProvider
    public var http: any HTTPClient
    public var retry: RetryPolicy
    public var logger: Logger

    public init(
        verifiesTLS: Bool = true,
        insecureRegistries: Set<String> = [],
        tls: TLSConfiguration = TLSConfiguration(),
        mirrors: MirrorTable = MirrorTable(),
        registriesConfiguration: RegistriesConfiguration? = nil,
        certificates: CertificateDirectories? = nil,
        credentials: any CredentialProvider = NoCredentials(),
        http: any HTTPClient = HTTPTransport(),
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "airgap")
    ) {
        self.verifiesTLS = verifiesTLS
        self.insecureRegistries = insecureRegistries
        self.tls = tls
        self.mirrors = mirrors
        self.registriesConfiguration = registriesConfiguration
        self.certificates = certificates
        self.credentials = credentials
        self.http = http
        self.retry = retry
        self.logger = logger
    }

    func isInsecure(_ host: String) -> Bool {
        !verifiesTLS || insecureRegistries.contains(host) || registriesConfiguration?.isInsecure(host: host) == true
    }

    /// Where to pull `reference` from, in order: `--mirror` rules when one covers the name, else
    /// registries.conf (which may also refuse a blocked registry), else the reference itself.
    public func pullSources(for reference: ImageReference) throws -> [ImageReference] {
        if mirrors.rules.contains(where: { $0.matches(name: reference.name) }) {
            return try mirrors.candidates(for: reference)
        }
        if let registriesConfiguration {
            return try registriesConfiguration.pullSources(for: reference).map(\.reference)
        }
        return [reference]
    }

    /// TLS settings for `host`: the command's, plus the host's certs.d directory when it has one.
    func tlsConfiguration(for host: String) throws -> TLSConfiguration {
        try certificates?.tlsConfiguration(forRegistry: host, base: tls) ?? tls
    }
}
