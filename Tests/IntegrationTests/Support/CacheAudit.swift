import Foundation
import OCI

@testable import Registry

/// Checks a blob cache from outside: what sits under `blobs/sha256/` must hash to its file name.
enum CacheAudit {
    /// Names of files under `blobs/sha256/` whose content does not hash to the name.
    static func unverifiedBlobs(in cache: String) throws -> [String] {
        let directory = cache + "/blobs/sha256"
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            return Digest.compute(of: data).encoded != name
        }
    }

    /// How many blobs the cache holds.
    static func blobCount(in cache: String) throws -> Int {
        let directory = cache + "/blobs/sha256"
        guard FileManager.default.fileExists(atPath: directory) else { return 0 }
        return try FileManager.default.contentsOfDirectory(atPath: directory).count
    }
}
