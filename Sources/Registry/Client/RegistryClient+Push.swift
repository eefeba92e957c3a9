import Foundation

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

    /// Cross-repository mount (distribution-spec, "Mounting a blob from another repository"):
    /// 201 means linked; 202 means the registry opened an upload session instead, which we abandon
    /// (the caller uploads) — `false`.
    public func mountBlob(_ digest: Digest, from source: ImageReference.Repository, into repository: ImageReference.Repository) async throws -> Bool {
        var call = RegistryCall(
            method: .post, path: "\(repository)/blobs/uploads/?mount=\(digest)&from=\(source)",
            expectedStatuses: [201, 202], subject: "mount of blob \(digest) into \(endpoint.registry)/\(repository)")
        call.repository = repository.value
        call.scopes = [RegistryCall.pushScope(repository), RegistryCall.pullScope(source)]
        return try await execute(call).status == 201
    }

    /// Uploads `descriptor`'s bytes from a file slice: POST opens a session, one PUT streams the file
    /// (monolithic upload), and the registry's digest must match. A retry opens a fresh session, so a
    /// failed attempt leaves nothing half-sent behind.
    public func uploadBlob(_ descriptor: Descriptor, from path: String, offset: Int64 = 0, into repository: ImageReference.Repository) async throws {
        let subject = "upload of blob \(descriptor.digest) to \(endpoint.registry)/\(repository)"
        var start = RegistryCall(method: .post, path: "\(repository)/blobs/uploads/", expectedStatuses: [202], subject: subject)
        start.repository = repository.value
        start.scopes = [RegistryCall.pushScope(repository)]
        let session = try await execute(start)
        guard let location = session.headers["Location"], let base = URL(string: location, relativeTo: endpoint.url("")),
              var components = URLComponents(url: base.absoluteURL, resolvingAgainstBaseURL: true)
        else {
            throw RegistryError.malformedResponse(subject: subject, reason: "the upload session has no usable Location header")
        }
        // Location may carry its own query (session state): keep it and add the digest.
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: descriptor.digest.description)]
        guard let target = components.url else {
            throw RegistryError.malformedResponse(subject: subject, reason: "the upload Location \(location) is not a URL")
        }
        var put = RegistryCall(method: .put, path: "", expectedStatuses: [201], subject: subject)
        put.url = target
        put.repository = repository.value
        put.scopes = start.scopes
        put.headers = ["Content-Type": "application/octet-stream"]
        put.body = .file(path: path, offset: offset, length: descriptor.size)
        let response = try await execute(put)
        if let stored = response.headers["Docker-Content-Digest"], stored != descriptor.digest.description {
            throw RegistryError.digestMismatch(subject: subject, expected: descriptor.digest, actual: (try? Digest(stored)) ?? descriptor.digest)
        }
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
    public func existingManifest(_ reference: ImageReference) async throws -> Descriptor? {
        do {
            return try await resolve(reference)
        } catch RegistryError.unexpectedStatus(let status, _, _, _, _, _) where status == 404 {
            return nil
        }
    }
}
