import Foundation
import OCI

/// One ``RegistryClient`` per registry host, created on first use. For an insecure registry the
/// first use probes `https://HOST/v2/` and falls back to plain http when https is not spoken there
/// (containers/image does the same for insecure registries).
public actor RegistryClientPool {
    private let access: RegistryAccess
    private var clients: [String: Task<RegistryClient, Error>] = [:]

    public init(access: RegistryAccess) {
        self.access = access
    }

    /// The client for the registry that serves `reference` (one per registry, shared).
    public func client(for reference: ImageReference) async throws -> RegistryClient {
        try await client(registry: reference.domain)
    }

    /// The client for `registry` as users name it (`docker.io`, `registry.example.com:5000`).
    public func client(registry: String) async throws -> RegistryClient {
        let task: Task<RegistryClient, Error>
        if let existing = clients[registry] {
            task = existing
        } else {
            let access = access
            let host = RegistryEndpoint.host(serving: registry)
            task = Task { try await Self.makeClient(host: host, registry: registry, access: access) }
            clients[registry] = task
        }
        // The probe is shared by every caller for this host, so it runs unstructured; pass a
        // caller's cancellation on, or Ctrl-C would wait for a hung probe's stall timeout.
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    private static func makeClient(host: String, registry: String, access: RegistryAccess) async throws -> RegistryClient {
        let tls = try access.tls(forHost: host)
        let hostTLS: @Sendable (String) throws -> TLSConfiguration = { try access.tls(forHost: $0) }
        func client(plainHTTP: Bool, retry: RetryPolicy) -> RegistryClient {
            let endpoint = RegistryEndpoint(host: host, usesPlainHTTP: plainHTTP, tls: tls, registry: registry)
            var client = RegistryClient(
                endpoint: endpoint, http: access.http, credentials: access.credentials, retry: retry, logger: access.logger, hostTLS: hostTLS,
                stallTimeout: access.stallTimeout)
            client.onRetry = access.onRetry
            return client
        }
        guard access.isRelaxed(registry) || access.isRelaxed(host) else { return client(plainHTTP: false, retry: access.retry) }
        do {
            _ = try await client(plainHTTP: false, retry: .never).ping()
            return client(plainHTTP: false, retry: access.retry)
        } catch let error as TransportError where !error.isUnresolvableHost {
            // Said where a user sees it: nothing this registry sends is protected from here on.
            access.logger.info("\(host) does not speak https (\(error)); using plain http, as it was marked insecure")
            return client(plainHTTP: true, retry: access.retry)
        }
    }
}
