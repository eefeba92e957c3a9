import Foundation
import OCI

/// One PEM file holding the system's CA certificates and a certs.d directory's `*.crt` files.
///
/// containers-certs.d(5) CA certificates are *added* to the system pool, but libcurl takes one CA
/// file (`CURLOPT_CAINFO`), so the two are concatenated. The file is named by the SHA-256 of its
/// content: the same inputs reuse it, changed inputs get a new one, and it appears whole (written
/// to a temporary name, then renamed).
enum CABundle {
    /// Where bundles go: `$XDG_RUNTIME_DIR/airgap/ca-bundles` (per user, tmpfs), else a per-user
    /// directory directly under the temporary directory (one level, so no parent directory in a
    /// shared /tmp can belong to someone else).
    static func defaultCacheDirectory(environment: [String: String]) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return "\(runtime)/airgap/ca-bundles"
        }
        let temporary = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return "\(temporary)/airgap-ca-bundles-\(geteuid())"
    }

    /// Writes (or finds) the bundle for `systemBundle` (if any) followed by `certificates` in the
    /// order given, and returns its path.
    static func write(
        systemBundle: String?, certificates: [String], cacheDirectory: String
    ) throws(CertificateDirectoryError) -> String {
        var content = Data()
        if let systemBundle { append(try contents(of: systemBundle), to: &content) }
        for certificate in certificates {
            let data = try contents(of: certificate)
            guard data.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else { throw .notPEM(certificate) }
            append(data, to: &content)
        }

        var digester = SHA256Digester()
        digester.update(content)
        let path = "\(cacheDirectory)/\(digester.finalize().encoded).pem"

        try prepare(cacheDirectory)
        // Reuse only a file whose bytes are exactly these: the name alone proves nothing.
        if let existing = FileManager.default.contents(atPath: path), existing == content { return path }

        let temporary = "\(cacheDirectory)/.\(UUID().uuidString).tmp"
        do {
            try content.write(to: URL(fileURLWithPath: temporary), options: .withoutOverwriting)
        } catch {
            throw .bundleNotWritten(path: path, reason: error.localizedDescription)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .bundleNotWritten(path: path, reason: reason)
        }
        return path
    }

    /// PEM files are concatenated; each must end its last line or the next BEGIN line is lost.
    private static func append(_ data: Data, to content: inout Data) {
        content.append(data)
        if let last = data.last, last != UInt8(ascii: "\n") { content.append(UInt8(ascii: "\n")) }
    }

    private static func contents(of path: String) throws(CertificateDirectoryError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
    }

    /// Creates the cache directory (mode 0700) and refuses one that another user owns or others
    /// can write: under a shared /tmp, someone else's directory could hand us their CA.
    private static func prepare(_ directory: String) throws(CertificateDirectoryError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .bundleNotWritten(path: directory, reason: error.localizedDescription)
        }
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            throw .bundleNotWritten(path: directory, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o022 == 0 else {
            throw .bundleNotWritten(
                path: directory, reason: "the directory must be owned by this user and writable by no one else")
        }
    }
}
