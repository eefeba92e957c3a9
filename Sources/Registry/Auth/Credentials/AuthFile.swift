import Foundation

/// One auth file as read: containers-auth.json(5) (`podman login`) and docker's config.json share
/// this shape.
///
/// ```json
/// { "auths": { "quay.io": { "auth": "base64(user:password)" },
///              "https://index.docker.io/v1/": { "auth": "…", "identitytoken": "…" } },
///   "credHelpers": { "registry.example.com": "pass" },
///   "credsStore": "secretservice" }
/// ```
///
/// Reading is lenient about everything it does not use (docker keeps `psFormat`, `plugins`,
/// `HttpHeaders` … here) and strict about the shape of what it does use. `auth` values are decoded
/// only when a lookup reaches them, so a broken entry for one registry does not block the others.
public struct AuthFile: Sendable, Hashable {
    /// One `auths` entry, as written. The description never shows a secret.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// base64 of `user:password`; the password may itself contain `:`.
        public var auth: String?
        /// docker's older spelled-out form, still written by some tools (Kubernetes pull secrets).
        public var username: String?
        public var password: String?
        /// An OAuth2 refresh token (`identitytoken`), stored by `docker login` for some registries.
        public var identityToken: String?

        public init(auth: String? = nil, username: String? = nil, password: String? = nil, identityToken: String? = nil) {
            self.auth = auth
            self.username = username
            self.password = password
            self.identityToken = identityToken
        }

        /// An entry with nothing to authenticate with: docker writes `{}` for registries whose
        /// credentials live in `credsStore`.
        public var isEmpty: Bool {
            [auth, username, password, identityToken].allSatisfy { ($0 ?? "").isEmpty }
        }

        public var description: String {
            let fields = [("auth", auth), ("username", username), ("password", password), ("identitytoken", identityToken)]
                .compactMap { name, value in value.map { name == "username" ? "\(name): \($0)" : "\(name): <redacted>" } }
            return "AuthFile.Entry(\(fields.joined(separator: ", ")))"
        }
    }

    /// Where the file was read from, for `ResolvedCredentials.source` and errors.
    public var path: String
    /// `auths`, by key as written (`host`, `host/ns/repo`, or a URL form).
    public var auths: [String: Entry]
    /// `credHelpers`: registry host → helper name (`pass` runs `docker-credential-pass`).
    public var credHelpers: [String: String]
    /// `credsStore`: the helper for every registry without a `credHelpers` entry.
    public var credsStore: String?

    public init(path: String, auths: [String: Entry] = [:], credHelpers: [String: String] = [:], credsStore: String? = nil) {
        self.path = path
        self.auths = auths
        self.credHelpers = credHelpers
        self.credsStore = credsStore
    }

    /// Reads the file at `path`; `nil` when there is no such file (most of the search path is absent).
    public static func load(path: String) throws(AuthFileError) -> AuthFile? {
        guard let data = try contentsIfPresent(path) else { return nil }
        return try AuthFile(path: path, contents: data)
    }

    /// The file's bytes, or `nil` when there is no such file. Only the system's words on a failure
    /// reach the error: the file's bytes (secrets) never do.
    ///
    /// Read with open(2) and read(2), so any readable file works as podman's `os.ReadFile` does:
    /// `/dev/null`, a pipe (`--authfile <(…)`). No auth file is large; a bound keeps a device that
    /// never ends (`/dev/zero`) from filling memory.
    static func contentsIfPresent(_ path: String) throws(AuthFileError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable(path: path, reason: errnoText())
        }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw .unreadable(path: path, reason: "it is a directory")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: errnoText())
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
            guard data.count <= maximumSize else {
                throw .unreadable(path: path, reason: "larger than \(maximumSize >> 20) MiB, which no auth file is")
            }
        }
    }

    /// Far above any real auth file (a few hundred bytes per registry).
    static let maximumSize = 16 << 20

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Parses `contents` as the file at `path`. An empty file is refused (``AuthFileError/empty(path:)``),
    /// as podman and skopeo refuse it; `{}` is the file with no credentials.
    public init(path: String, contents: Data) throws(AuthFileError) {
        let document = try AuthFileDocument(path: path, contents: contents)
        self.init(path: path)
        auths = try document.auths()
        credHelpers = try document.stringMap("credHelpers")
        credsStore = try document.string("credsStore")
    }
}
