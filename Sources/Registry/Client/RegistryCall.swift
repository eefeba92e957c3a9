import Foundation
import OCI

/// One call of the distribution API as a value: what to send and which statuses mean success.
/// ``RegistryClient/execute(_:sink:)`` turns any other status into a ``RegistryError``.
struct RegistryCall: Sendable {
    var method: HTTPMethod
    /// The part after `/v2/`, e.g. `library/busybox/manifests/1.29`.
    var path: String
    /// A full URL instead of `path`: an upload session's `Location`. Credentials go with it only
    /// when it is on the registry's own host.
    var url: URL?
    var headers: HTTPHeaders = [:]
    var body: RequestBody?
    var expectedStatuses: Set<Int>
    /// What the call was about, for error messages: `manifest docker.io/library/busybox:1.29`.
    var subject: String
    /// The repository the call touches (for token scopes and namespace-keyed credentials).
    var repository: String?
    /// Token scopes the call needs, e.g. `repository:library/busybox:pull`.
    var scopes: [String] = []
    /// Whether ``RegistryClient/execute(_:sink:)`` may send the call again after a transient
    /// failure. Off for the steps of an upload session: a half-sent session is abandoned and the
    /// whole upload retried with a fresh one.
    var retriesTransientFailures = true
    /// Told about body bytes as they are sent (see ``HTTPRequest/uploadProgress``).
    var uploadProgress: (@Sendable (Int64) -> Void)?

    static func pullScope(_ repository: ImageReference.Repository) -> String {
        "repository:\(repository):pull"
    }

    static func pushScope(_ repository: ImageReference.Repository) -> String {
        "repository:\(repository):pull,push"
    }

    static func manifest(_ method: HTTPMethod, repository: ImageReference.Repository, reference: String, subject: String) -> RegistryCall {
        RegistryCall(
            method: method,
            path: "\(repository)/manifests/\(reference)",
            headers: ["Accept": MediaType.manifestAcceptHeader],
            expectedStatuses: [200],
            subject: subject,
            repository: repository.value,
            scopes: [pullScope(repository)]
        )
    }

    static func blob(_ method: HTTPMethod, repository: ImageReference.Repository, digest: Digest, subject: String) -> RegistryCall {
        RegistryCall(
            method: method,
            path: "\(repository)/blobs/\(digest)",
            expectedStatuses: [200],
            subject: subject,
            repository: repository.value,
            scopes: [pullScope(repository)]
        )
    }
}
