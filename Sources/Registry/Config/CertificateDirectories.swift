import Foundation

/// Per-registry TLS settings from certificate directories, as containers-certs.d(5) lays them out:
/// `ROOT/HOST[:PORT]/` holding `*.crt` CA certificates and a `NAME.cert` + `NAME.key` client pair.
///
/// The directory for a registry is found as containers/image's `dockerCertDir` finds it: with
/// `--cert-dir DIR`, that directory for every registry (no `HOST[:PORT]` below it); otherwise the
/// first of `$HOME/.config/containers/certs.d/HOST[:PORT]`,
/// `/etc/containers/certs.d/HOST[:PORT]` and `/etc/docker/certs.d/HOST[:PORT]` that exists — only
/// that one is read, even when it holds nothing.
public struct CertificateDirectories: Sendable, Hashable {
    /// `--cert-dir`: when set, the only directory consulted, and it must exist.
    public var certDir: String?
    /// Roots holding `HOST[:PORT]` directories, in the order they are tried.
    public var perHostRoots: [String]
    /// System CA bundles; the first that exists goes at the top of the combined bundle.
    public var systemBundleCandidates: [String]
    /// Where combined CA bundles are written.
    public var bundleCacheDirectory: String

    /// System bundles, the first that exists is used: Debian/Ubuntu/Alpine, then Fedora/RHEL.
    public static let defaultSystemBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]

    public init(
        certDir: String? = nil,
        perHostRoots: [String],
        systemBundleCandidates: [String] = Self.defaultSystemBundles,
        bundleCacheDirectory: String
    ) {
        self.certDir = certDir
        self.perHostRoots = perHostRoots
        self.systemBundleCandidates = systemBundleCandidates
        self.bundleCacheDirectory = bundleCacheDirectory
    }

    /// The directories a command uses: `--cert-dir`, else the per-user and system roots.
    public init(certDir: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var roots: [String] = []
        if let home = environment["HOME"], !home.isEmpty { roots.append("\(home)/.config/containers/certs.d") }
        roots += ["/etc/containers/certs.d", "/etc/docker/certs.d"]
        self.init(
            certDir: certDir.flatMap { $0.isEmpty ? nil : $0 }, perHostRoots: roots,
            bundleCacheDirectory: CABundle.defaultCacheDirectory(environment: environment))
    }

    /// The directory that configures `hostPort`, or `nil` when none exists.
    ///
    /// `hostPort` is the server actually contacted, as written in its directory name:
    /// `registry.example.com:5000`, or `registry-1.docker.io` for Docker Hub (containers/image
    /// looks up the host it connects to, not `docker.io`).
    public func directory(forRegistry hostPort: String) throws(CertificateDirectoryError) -> String? {
        if let certDir {
            guard Self.isDirectory(certDir) else { throw .missingDirectory(certDir) }
            return certDir
        }
        // A host never holds '/'; refuse one rather than look outside the roots.
        guard !hostPort.isEmpty, !hostPort.contains("/"), hostPort != ".", hostPort != ".." else { return nil }
        return perHostRoots.map { "\($0)/\(hostPort)" }.first(where: Self.isDirectory)
    }

    /// TLS settings for `hostPort`: `base` with the directory's CA certificates and
    /// `additionalAuthorities` (PEM files) added to the system's, through one combined bundle in
    /// `caFile`, and the directory's client pair set. Nothing is dropped: a `--ca-file` and a certs.d
    /// directory both count. `nil` when nothing applies, so the caller keeps its settings.
    public func tlsConfiguration(
        forRegistry hostPort: String, base: TLSConfiguration = TLSConfiguration(), additionalAuthorities: [String] = []
    ) throws(CertificateDirectoryError) -> TLSConfiguration? {
        let contents = try directory(forRegistry: hostPort).map { (path) throws(CertificateDirectoryError) in try CertificateDirectory(reading: path) }
        let authorities = (contents?.certificateAuthorities ?? []) + additionalAuthorities
        guard !authorities.isEmpty || contents?.clientCertificate != nil else { return nil }

        var tls = base
        if !authorities.isEmpty {
            let system = systemBundleCandidates.first { FileManager.default.fileExists(atPath: $0) }
            tls.caFile = try CABundle.write(systemBundle: system, certificates: authorities, cacheDirectory: bundleCacheDirectory)
        }
        if let contents, let certificate = contents.clientCertificate, let key = contents.clientKey {
            tls.clientCertificate = certificate
            tls.clientKey = key
        }
        return tls
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
