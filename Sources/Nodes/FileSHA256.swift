import Foundation
import OCI

/// The sha256 of a whole file, streamed in chunks: archives are gigabytes.
enum FileSHA256 {
    static let chunkSize = 1 << 20

    static func digest(ofFileAt path: String) throws(NodeArchiveError) -> Digest {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .hashing(archive: path, reason: "it cannot be opened")
        }
        defer { try? handle.close() }
        var digester = SHA256Digester()
        do {
            while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
                digester.update(chunk)
            }
        } catch {
            throw .hashing(archive: path, reason: "\(error.localizedDescription)")
        }
        return digester.finalize()
    }
}
