import Foundation
import OCI

/// A record that a cache file was verified: its digest, with the file's inode, size, modification
/// and change times when it was. A warm run trusts a blob whose file still matches its stamp
/// instead of hashing it again (a full SHA-256 pass over every cached byte was most of a warm run);
/// any change — rewritten, touched, replaced, restored from a backup — means hashing it again.
/// The change time (`st_ctim`) cannot be set back by a user, so `touch -d` does not pass either.
struct VerifiedStamp: Equatable {
    var inode: UInt64
    var size: Int64
    var modified: timespec
    var changed: timespec

    init?(of path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    /// Reads ``text`` back: six integers, separated by spaces, the line break at the end included.
    init?(text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        let fields = words.compactMap { Int64($0) }
        guard words.count == 6, fields.count == 6 else { return nil }
        inode = UInt64(bitPattern: fields[0])
        size = fields[1]
        modified = timespec(tv_sec: Int(fields[2]), tv_nsec: Int(fields[3]))
        changed = timespec(tv_sec: Int(fields[4]), tv_nsec: Int(fields[5]))
    }

    var text: String {
        "\(Int64(bitPattern: inode)) \(size) \(modified.tv_sec) \(modified.tv_nsec) \(changed.tv_sec) \(changed.tv_nsec)\n"
    }

    static func == (lhs: VerifiedStamp, rhs: VerifiedStamp) -> Bool {
        lhs.inode == rhs.inode && lhs.size == rhs.size
            && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
            && lhs.changed.tv_sec == rhs.changed.tv_sec && lhs.changed.tv_nsec == rhs.changed.tv_nsec
    }
}

extension BlobStore {
    var stampsDirectory: String { root + "/stamps" }

    private func stampPath(_ digest: Digest) -> String { "\(stampsDirectory)/\(digest.encoded)" }

    /// Records that the cached copy of `digest` was just verified (best effort: without a stamp
    /// the next run hashes the file, which is slower, never wrong).
    func stamp(_ digest: Digest) {
        guard let stamp = VerifiedStamp(of: path(for: digest)) else { return }
        try? FileManager.default.createDirectory(atPath: stampsDirectory, withIntermediateDirectories: true)
        let temporary = "\(stampPath(digest)).\(getpid())-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(stamp.text.utf8)) else { return }
        if rename(temporary, stampPath(digest)) != 0 { unlink(temporary) }
    }

    /// Whether the cached copy of `descriptor` is still the file that was verified.
    func hasValidStamp(_ descriptor: Descriptor) -> Bool {
        guard let text = try? String(contentsOfFile: stampPath(descriptor.digest), encoding: .utf8),
              let recorded = VerifiedStamp(text: text), let current = VerifiedStamp(of: path(for: descriptor.digest))
        else { return false }
        return recorded == current && current.size == descriptor.size
    }

    func removeStamp(_ digest: Digest) {
        unlink(stampPath(digest))
    }
}
