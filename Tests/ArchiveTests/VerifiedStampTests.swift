import Foundation
import OCI
import Testing

@testable import Archive

// The verified stamp lets a warm run trust a cached blob without hashing it again (issue 16). Until
// these tests, a stamp never read back (its line break made the last field unreadable), so every
// warm run hashed every cached byte: the tests pin both halves, trusted when unchanged and hashed
// again after any change.
@Suite struct VerifiedStampTests {
    let root = NSTemporaryDirectory() + "airgap-stamp-\(UUID().uuidString)"

    func cleanUp() { try? FileManager.default.removeItem(atPath: root) }

    /// A cached blob as a download leaves it: in `blobs/`, verified, stamped.
    func storedBlob(_ text: String, in store: BlobStore) throws -> Descriptor {
        let data = Data(text.utf8)
        let descriptor = Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: data), size: Int64(data.count))
        try store.store(data, as: descriptor)
        #expect(try store.verifiedCopy(descriptor))
        return descriptor
    }

    @Test func aStampReadsBackAsWritten() throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/blob"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let stamp = try #require(VerifiedStamp(of: file))
        #expect(stamp.text.hasSuffix("\n"))
        #expect(VerifiedStamp(text: stamp.text) == stamp)
        #expect(VerifiedStamp(text: "1 2 3 4 5") == nil)
        #expect(VerifiedStamp(text: "1 2 3 4 5 6 7") == nil)
        #expect(VerifiedStamp(text: "1 2 3 4 5 x") == nil)
    }

    @Test func anUnchangedStampedBlobIsTrustedWithoutHashing() throws {
        defer { cleanUp() }
        let store = try BlobStore(root: root)
        let descriptor = try storedBlob("layer bytes", in: store)
        #expect(store.hasValidStamp(descriptor))
        // What the stamp trades: bytes changed without changing inode, size, mtime or ctime are not
        // seen. Only a stamp taken after the damage can show it, so take one: the copy is trusted,
        // which proves no hash ran (a hash would find the damage and evict the copy).
        let path = store.path(for: descriptor.digest)
        try Data("LAYER bytes".utf8).write(to: URL(fileURLWithPath: path))
        store.stamp(descriptor.digest)
        #expect(try store.verifiedCopy(descriptor))
        #expect(store.contains(descriptor))
    }

    @Test(arguments: ["rewritten", "touched", "replaced"])
    func anyChangeAfterTheStampMeansHashingAgain(_ change: String) throws {
        defer { cleanUp() }
        let store = try BlobStore(root: root)
        let descriptor = try storedBlob("layer bytes", in: store)
        let path = store.path(for: descriptor.digest)
        switch change {
        case "rewritten":
            // Same size, other bytes: mtime and ctime move.
            try Data("LAYER bytes".utf8).write(to: URL(fileURLWithPath: path))
        case "touched":
            // The same bytes with another modification time (as a restore from a backup sets it):
            // hashed again, found intact, stamped again.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: path)
        default:
            // Another inode with other bytes of the same size.
            let other = root + "/other"
            try Data("LAYER bytes".utf8).write(to: URL(fileURLWithPath: other))
            #expect(rename(other, path) == 0)
        }
        #expect(!store.hasValidStamp(descriptor))
        let intact = change == "touched"
        #expect(try store.verifiedCopy(descriptor) == intact)
        #expect(store.contains(descriptor) == intact)
        #expect(store.hasValidStamp(descriptor) == intact)
    }
}
