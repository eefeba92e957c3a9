import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Changes one auth file for `airgap login` and `logout`, as `podman login` does (containers/image,
/// `modifyJSON`): the file is read as a JSON object, only `auths` entries change, every other key
/// (docker's `credHelpers`, `credsStore`, `psFormat`, anything newer) is written back as it was.
/// The new contents go to a temporary file (mode 0600) in the same directory, renamed over the old:
/// a reader sees the old file or the new one, never half of one, and never a readable secret.
///
/// Which file: ``AuthFileLocations/writePath`` — `--authfile` / `$REGISTRY_AUTH_FILE`, else the
/// primary file that lookups read first.
public struct AuthFileWriter: Sendable, Hashable {
    public var path: String
    /// `$XDG_RUNTIME_DIR` when the file lies in it: the login manager creates that directory, so a
    /// missing one is a typo or a stale variable, not something to create (containers/image refuses too).
    public var runtimeDirectory: String?

    public init(path: String, runtimeDirectory: String? = nil) {
        self.path = path
        self.runtimeDirectory = runtimeDirectory
    }

    public init(locations: AuthFileLocations) {
        path = locations.writePath
        runtimeDirectory = locations.explicitFile == nil ? locations.xdgRuntimeDir : nil
    }

    /// Stores `credentials` for `registry` (`host`, `host/ns/repo`, or a URL, kept in canonical form:
    /// `https://index.docker.io/v1/` becomes `docker.io`, as podman writes it). Returns the key written.
    @discardableResult
    public func store(_ credentials: Credentials, for registry: String) throws(AuthFileError) -> String {
        let key = AuthFileKey.canonical(registry)
        var document = try read() ?? AuthFileDocument(path: path)
        let host = String(key.prefix(while: { $0 != "/" }))
        if let helper = try document.stringMap("credHelpers").first(where: { AuthFileKey.canonical($0.key) == host })?.value {
            throw .managedByHelper(path: path, registry: host, helper: helper)
        }
        var auths = try document.map("auths")
        var entry: [String: Any] = ["auth": Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()]
        if let token = credentials.identityToken { entry["identitytoken"] = token }
        auths[key] = entry
        document.object["auths"] = auths
        try replaceFile(with: document)
        return key
    }

    /// Removes `registry`'s entries, under every spelling of its key. Returns the keys removed.
    @discardableResult
    public func remove(registry: String) throws(AuthFileError) -> [String] {
        let key = AuthFileKey.canonical(registry)
        guard var document = try read() else { throw .notLoggedIn(path: path, registry: registry) }
        var auths = try document.map("auths")
        let removed = auths.keys.filter { AuthFileKey.canonical($0) == key }.sorted()
        guard !removed.isEmpty else { throw .notLoggedIn(path: path, registry: registry) }
        for name in removed { auths[name] = nil }
        document.object["auths"] = auths
        try replaceFile(with: document)
        return removed
    }

    /// `logout --all`: empties `auths`. `credHelpers` and `credsStore` stay: they are configuration,
    /// and the secrets they point at live in the helpers. A missing file is already logged out.
    public func removeAll() throws(AuthFileError) {
        guard var document = try read() else { return }
        document.object["auths"] = [String: Any]()
        try replaceFile(with: document)
    }

    /// The current document; `nil` when there is no file yet. A file that does not parse stops the
    /// change: rewriting it would lose whatever it holds.
    private func read() throws(AuthFileError) -> AuthFileDocument? {
        guard let data = try AuthFile.contentsIfPresent(path) else { return nil }
        return try AuthFileDocument(path: path, contents: data)
    }

    private func replaceFile(with document: AuthFileDocument) throws(AuthFileError) {
        let data = try document.serialized()
        // A symlinked auth file (a shared pull secret) is written where it points, as podman does:
        // renaming over the link itself would leave the target with the old credentials.
        let url = URL(fileURLWithPath: try Self.finalTarget(of: path))
        // The rename would put a file in place of a device or a pipe (`--authfile /dev/null` as root).
        var existing = stat()
        if stat(url.path, &existing) == 0, (existing.st_mode & S_IFMT) != S_IFREG {
            throw .writeFailed(path: path, reason: "\(url.path) is not a regular file, and only a regular file is replaced")
        }
        let directory = url.deletingLastPathComponent().path
        if let runtimeDirectory, !FileManager.default.fileExists(atPath: runtimeDirectory) {
            throw .writeFailed(path: path, reason: "$XDG_RUNTIME_DIR (\(runtimeDirectory)) does not exist; create it or unset XDG_RUNTIME_DIR")
        }
        try makeDirectory(directory)

        var template = Array("\(directory)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: "cannot create a temporary file in \(directory): \(Self.errnoText())") }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: String?
        // mkstemp creates 0600 already; said again so no umask or platform difference can widen it.
        if fchmod(fd, 0o600) != 0 { failure = "chmod 0600: \(Self.errnoText())" }
        if failure == nil {
            failure = data.withUnsafeBytes { buffer -> String? in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return "write: \(Self.errnoText())"
                    }
                    offset += written
                }
                return nil
            }
        }
        // Flushed before the rename, so a crash cannot leave an empty file under the real name.
        if failure == nil, fsync(fd) != 0 { failure = "fsync: \(Self.errnoText())" }
        close(fd)
        if failure == nil, rename(temporary, url.path) != 0 { failure = "rename: \(Self.errnoText())" }
        if let failure {
            unlink(temporary)
            throw .writeFailed(path: path, reason: failure)
        }
    }

    /// Creates `directory` and any missing parents with mode 0700 (only the owner may list them).
    /// The file `path` ends at after following its symbolic links (the file itself need not exist).
    static func finalTarget(of path: String) throws(AuthFileError) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { throw .writeFailed(path: path, reason: "cannot read the link \(current): \(errnoText())") }
            let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).path
        }
        throw .writeFailed(path: path, reason: "too many levels of symbolic links")
    }

    private func makeDirectory(_ directory: String) throws(AuthFileError) {
        var status = stat()
        if stat(directory, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw .writeFailed(path: path, reason: "\(directory) is not a directory")
            }
            return
        }
        let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        if parent != directory { try makeDirectory(parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .writeFailed(path: path, reason: "cannot create directory \(directory): \(Self.errnoText())")
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
