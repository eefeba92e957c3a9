import Foundation
import OCI

/// A manifest or index exactly as the registry served it: the bytes are kept because pushing them
/// unchanged is the only way to keep the digest.
public struct FetchedManifest: Sendable {
    public var bytes: Data
    public var mediaType: MediaType
    public var digest: Digest
    public var document: ManifestDocument

    /// The descriptor that points at these bytes.
    public var descriptor: Descriptor {
        Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }
}

extension RegistryClient {
    /// Resolves a reference to its manifest's descriptor with HEAD: digest and size without
    /// downloading the manifest (and without spending a Docker Hub pull).
    public func resolve(_ reference: ImageReference) async throws -> Descriptor {
        try await resolve(reference, scope: RegistryCall.pullScope(reference.repository))
    }

    /// ``resolve(_:)`` with a token for `scope`: a push asks with push rights from its first
    /// request, so one token serves the repository's whole push.
    func resolve(_ reference: ImageReference, scope: String) async throws -> Descriptor {
        var call = RegistryCall.manifest(.head, repository: reference.repository, reference: reference.manifestReference, subject: "manifest \(reference)")
        call.scopes = [scope]
        let response = try await execute(call)
        guard let contentType = response.headers["Content-Type"].flatMap(MediaType.init(contentType:)),
              let digestHeader = response.headers["Docker-Content-Digest"],
              let length = response.headers["Content-Length"].flatMap(Int64.init)
        else {
            // Some registries omit these on HEAD; the manifest itself always tells.
            return try await fetchManifest(reference, scope: scope).descriptor
        }
        let digest = try Digest(digestHeader)
        if let pinned = reference.digest, pinned != digest {
            throw RegistryError.digestMismatch(subject: "manifest \(reference)", expected: pinned, actual: digest)
        }
        return Descriptor(mediaType: contentType, digest: digest, size: length)
    }

    /// Downloads a manifest or index (at most 4 MiB), verifies its digest and decodes it.
    public func fetchManifest(_ reference: ImageReference) async throws -> FetchedManifest {
        try await fetchManifest(reference, scope: RegistryCall.pullScope(reference.repository))
    }

    private func fetchManifest(_ reference: ImageReference, scope: String) async throws -> FetchedManifest {
        let subject = "manifest \(reference)"
        var call = RegistryCall.manifest(.get, repository: reference.repository, reference: reference.manifestReference, subject: subject)
        call.scopes = [scope]
        let sink = MemorySink(limit: ManifestDocument.sizeLimit)
        let response = try await execute(call, sink: sink)
        let bytes = sink.data
        let digest = Digest.compute(of: bytes)

        // By digest, the bytes must hash to it; by tag, they must agree with what the registry claims.
        if let expected = try reference.digest ?? response.headers["Docker-Content-Digest"].map({ try Digest($0) }),
           expected != digest {
            throw RegistryError.digestMismatch(subject: subject, expected: expected, actual: digest)
        }
        let contentType = response.headers["Content-Type"].flatMap(MediaType.init(contentType:))
        let document = try ManifestDocument(decoding: bytes, contentType: contentType)
        return FetchedManifest(bytes: bytes, mediaType: document.mediaType, digest: digest, document: document)
    }
}
