import Foundation
import Logging
import OCI

/// How to reach registries for one command, or one side of a copy: which hosts are trusted how
/// (``TrustPolicy``), where images are pulled from (`--mirror` rules, registries.conf), which
/// credentials exist — the options skopeo and podman users know.
///
/// A copy uses one access per side, as skopeo copy has a source and a destination context: a side's
/// credentials and relaxed checks then cannot reach the other side's registries.
public struct RegistryAccess: Sendable {
    /// Which hosts get which TLS: relaxed, extra CAs, client certificates.
    public var trust: TrustPolicy
    /// `--mirror SOURCE=LOCATION` rules: they decide for the names they cover.
    public var mirrors: MirrorTable
    /// registries.conf: mirrors, blocked and insecure registries for every other name.
    public var registriesConfiguration: RegistriesConfiguration?
    /// Where credentials come from: the command line's (per registry), auth files, credential helpers.
    public var credentials: any CredentialProvider
    public var http: any HTTPClient
    public var retry: RetryPolicy
    /// Abort a transfer after this many seconds without a byte: a registry that accepts and never
    /// answers must fail, not hold a run.
    public var stallTimeout: Int = HTTPRequest.defaultStallTimeout
    /// Hears every call, upload or download that failed and will be tried again (a display shows
    /// it); `nil` logs it as a warning.
    public var onRetry: (@Sendable (_ subject: String, _ notice: RetryNotice) -> Void)?
    public var logger: Logger

    public init(
        trust: TrustPolicy = TrustPolicy(),
        mirrors: MirrorTable = MirrorTable(),
        registriesConfiguration: RegistriesConfiguration? = nil,
        credentials: any CredentialProvider = NoCredentials(),
        http: any HTTPClient = HTTPTransport(),
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "airgap")
    ) {
        self.trust = trust
        self.mirrors = mirrors
        self.registriesConfiguration = registriesConfiguration
        self.credentials = credentials
        self.http = http
        self.retry = retry
        self.logger = logger
    }

    /// Whether `host` may be contacted without verification (and over plain http where it does not
    /// speak https): the user relaxed it, or registries.conf marks it `insecure = true`.
    public func isRelaxed(_ host: String) -> Bool {
        trust.relaxes(host) || registriesConfiguration?.isInsecure(host: host) == true
            || registriesConfiguration?.isInsecure(host: RegistryEndpoint.registry(named: host)) == true
    }

    /// TLS settings for any host this access may be sent to: a registry, its token realm, a
    /// redirect target. Each host gets its own: nothing given for one registry reaches another.
    public func tls(forHost host: String) throws -> TLSConfiguration {
        try trust.tls(forHost: host, relaxed: isRelaxed(host))
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
}
