import Foundation

/// Which TLS relaxations and certificates apply to which hosts: the user's `--tls-verify=false`,
/// `--cert-dir` and `--ca-file` reach only the registries they were given for, never a token realm
/// on another host, a redirect target or another registry of the run.
///
/// Every host gets full verification against the system CAs plus its own containers-certs.d
/// directory. A host in ``relaxedRegistries`` is contacted without verification (and over plain
/// http where it does not speak https); a host in ``namedRegistries`` also trusts ``caFile`` and
/// uses ``certDirectory`` in place of its certs.d directory. Hosts are written as in references
/// (`registry.example.com:5000`, `docker.io`).
public struct TrustPolicy: Sendable {
    /// Registries contacted without certificate verification (`--tls-verify=false` for them).
    public var relaxedRegistries: Set<String>
    /// Registries the user named for this command: the ones ``caFile`` and ``certDirectory`` serve.
    public var namedRegistries: Set<String>
    /// A PEM file of CAs trusted, besides the system's and certs.d's, for the named registries.
    public var caFile: String?
    /// A certs.d-style directory used for the named registries instead of their own.
    public var certDirectory: String?
    /// Where the per-host certs.d directories are looked up, and combined bundles written.
    public var certificates: CertificateDirectories

    public init(
        relaxedRegistries: Set<String> = [], namedRegistries: Set<String> = [], caFile: String? = nil, certDirectory: String? = nil,
        certificates: CertificateDirectories = CertificateDirectories()
    ) {
        self.relaxedRegistries = relaxedRegistries
        self.namedRegistries = namedRegistries
        self.caFile = caFile
        self.certDirectory = certDirectory
        var perHost = certificates
        perHost.certDir = nil
        self.certificates = perHost
    }

    /// Whether `host` (a registry as users name it, or the host contacted for it) was relaxed.
    public func relaxes(_ host: String) -> Bool {
        relaxedRegistries.contains(host) || relaxedRegistries.contains(RegistryEndpoint.registry(named: host))
    }

    func names(_ host: String) -> Bool {
        namedRegistries.contains(host) || namedRegistries.contains(RegistryEndpoint.registry(named: host))
    }

    /// TLS settings for `host` (`host[:port]` as contacted): verification unless `relaxed`, the
    /// host's CAs and client certificate.
    public func tls(forHost host: String, relaxed: Bool) throws -> TLSConfiguration {
        let base = TLSConfiguration(verifyPeer: !relaxed)
        guard names(host) else { return try certificates.tlsConfiguration(forRegistry: host, base: base) ?? base }
        var directories = certificates
        directories.certDir = certDirectory
        return try directories.tlsConfiguration(forRegistry: host, base: base, additionalAuthorities: caFile.map { [$0] } ?? []) ?? base
    }
}
