import Foundation
import ManifestChecks
import OCI

// Manifest bytes as a registry serves them. Each input is tried under every Content-Type the
// decoder treats differently: none, a generic one, each kind, schema1 and an unsupported type.

private let contentTypes: [MediaType?] = [
    nil, "application/json", .ociImageManifest, .ociImageIndex, .dockerManifest, .dockerManifestList,
    .dockerSchema1SignedManifest, "application/vnd.oci.artifact.manifest.v1+json",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    for contentType in contentTypes {
        do {
            let document = try ManifestDocument(decoding: bytes, contentType: contentType)
            _ = document.mediaType
            switch document {
            case .image(let manifest):
                ManifestModelChecks.check(manifest)
                _ = try? ManifestDocument(decoding: JSONEncoder().encode(manifest), contentType: contentType)
            case .index(let index):
                ManifestModelChecks.check(index)
                _ = try? ManifestDocument(decoding: JSONEncoder().encode(index), contentType: contentType)
            }
        } catch {
            _ = error.description
        }
    }
    return 0
}
