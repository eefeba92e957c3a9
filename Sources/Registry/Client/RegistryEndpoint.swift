import Foundation
import OCI

/// Where and how to reach one registry: its host (with port), the scheme and the TLS settings.
public struct RegistryEndpoint: Sendable, Hashable {
    /// `host[:port]` as contacted (`registry-1.docker.io` for docker.io; see ``host(serving:)``).
    public var host: String
    /// Plain http, for a local registry the user marked insecure.
    public var usesPlainHTTP: Bool
    public var tls: TLSConfiguration
    /// The registry as users name it (`docker.io`): the key credentials are stored under.
    public var registry: String

    public init(host: String, usesPlainHTTP: Bool = false, tls: TLSConfiguration = TLSConfiguration(), registry: String? = nil) {
        self.host = host
        self.usesPlainHTTP = usesPlainHTTP
        self.tls = tls
        self.registry = registry ?? host
    }

    /// The endpoint for the registry that serves `reference`.
    public init(for reference: ImageReference, usesPlainHTTP: Bool = false, tls: TLSConfiguration = TLSConfiguration()) {
        self.init(host: Self.host(serving: reference.domain), usesPlainHTTP: usesPlainHTTP, tls: tls, registry: reference.domain)
    }

    /// The host that answers the distribution API for `registry` as users name it: Docker Hub's
    /// `docker.io` is served at `registry-1.docker.io`; every other registry (with its port) as written.
    public static func host(serving registry: String) -> String {
        registry == ImageReference.dockerHubDomain ? dockerHubAPIHost : registry
    }

    /// The registry a user means by `host`: Docker Hub's API host and its legacy name are `docker.io`.
    public static func registry(named host: String) -> String {
        [dockerHubAPIHost, "index.docker.io"].contains(host) ? ImageReference.dockerHubDomain : host
    }

    static let dockerHubAPIHost = "registry-1.docker.io"

    /// `https://host/v2/` followed by `path` (already made of URL-safe reference parts).
    func url(_ path: String) -> URL {
        let scheme = usesPlainHTTP ? "http" : "https"
        // Repository, tag and digest grammars admit only URL-safe characters, so no escaping is needed.
        guard let url = URL(string: "\(scheme)://\(host)/v2/\(path)") else {
            preconditionFailure("registry URL from validated parts did not parse: \(host) \(path)")
        }
        return url
    }
}
