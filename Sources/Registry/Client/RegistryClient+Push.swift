import Foundation
import OCI

/// What pushing a blob took.
public enum BlobPushOutcome: Sendable, Hashable {
    /// The destination already had it (HEAD).
    case existed
    /// Linked from another repository of the same registry, without transferring bytes.
    case mounted
    /// Sent.
    case uploaded
}

extension RegistryClient {
    /// Whether the repository has the blob, asked with push rights (one token serves the whole push).
    public func hasBlob(_ digest: Digest, in repository: ImageReference.Repository) async throws -> Bool {
        var call = RegistryCall.blob(.head, repository: repository, digest: digest, subject: "blob \(digest) in \(endpoint.registry)/\(repository)")
        call.scopes = [RegistryCall.pushScope(repository)]
        call.expectedStatuses = [200, 404]
        return try await execute(call).status == 200
    }

    /// What a mount attempt gave.
    public enum MountResult: Sendable, Equatable {
        /// The blob is in the repository now (or already was).
        case mounted
        /// The registry opened an upload session instead (202), at this URL, for the caller to
        /// upload into: no second POST needed.
        case uploadSession(URL?)
    }

    /// Cross-repository mount (distribution-spec, "Mounting a blob from another repository"):
    /// 201 means linked; 202 means the registry opened an upload session instead.
    public func mountBlob(
        _ digest: Digest, from source: ImageReference.Repository, into repository: ImageReference.Repository
    ) async throws -> MountResult {
        var call = RegistryCall(
            method: .post, path: "\(repository)/blobs/uploads/?mount=\(digest)&from=\(source)",
            expectedStatuses: [201, 202], subject: "mount of blob \(digest) into \(endpoint.registry)/\(repository)")
        call.repository = repository.value
        call.scopes = [RegistryCall.pushScope(repository), RegistryCall.pullScope(source)]
        let response = try await execute(call)
        if response.status == 201 { return .mounted }
        return .uploadSession(try? sessionURL(from: response, subject: call.subject))
    }

    /// Puts a manifest's exact bytes under `reference` (a tag, or its digest), which keeps its digest.
    public func pushManifest(_ bytes: Data, mediaType: MediaType, to repository: ImageReference.Repository, reference: String) async throws {
        let subject = "manifest \(endpoint.registry)/\(repository):\(reference)"
        var call = RegistryCall(method: .put, path: "\(repository)/manifests/\(reference)", expectedStatuses: [201], subject: subject)
        call.repository = repository.value
        call.scopes = [RegistryCall.pushScope(repository)]
        call.headers = ["Content-Type": mediaType.rawValue]
        call.body = .bytes(bytes)
        let response = try await execute(call)
        let expected = Digest.compute(of: bytes)
        if let stored = response.headers["Docker-Content-Digest"], stored != expected.description {
            throw RegistryError.digestMismatch(subject: subject, expected: expected, actual: (try? Digest(stored)) ?? expected)
        }
    }

    /// The descriptor of what the destination has under `reference`, or `nil` when it has nothing.
    /// Asked with push rights, as ``hasBlob(_:in:)`` is: the token that checks the tag is the one
    /// the push then uses, not a pull token fetched first and dropped (containers/image's
    /// destination asks `pull,push` from its first request too).
    public func existingManifest(_ reference: ImageReference) async throws -> Descriptor? {
        do {
            return try await resolve(reference, scope: RegistryCall.pushScope(reference.repository))
        } catch RegistryError.unexpectedStatus(let status, _, _, _, _, _) where status == 404 {
            return nil
        }
    }
}
