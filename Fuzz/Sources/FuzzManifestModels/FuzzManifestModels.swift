import Foundation
import ManifestChecks
import OCI

// The Codable models alone, as the client, the cache and the archive reader decode them from
// bytes they did not write: each input is decoded as an index, a manifest and a config.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let decoder = JSONDecoder()
    do {
        ManifestModelChecks.check(try decoder.decode(ImageIndex.self, from: bytes))
    } catch {
        _ = JSONFailure.describe(error)
    }
    do {
        ManifestModelChecks.check(try decoder.decode(ImageManifest.self, from: bytes))
    } catch {
        _ = JSONFailure.describe(error)
    }
    do {
        ManifestModelChecks.check(try decoder.decode(ImageConfig.self, from: bytes))
    } catch {
        _ = JSONFailure.describe(error)
    }
    return 0
}
