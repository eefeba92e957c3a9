/// What is wrong with an auth file (auth.json, docker's config.json), naming the file and the key.
///
/// No case carries a secret: problems with an `auth` value say what is wrong with it
/// ("not valid base64"), never what it is, so these errors may be printed and logged as they are.
public enum AuthFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file exists but cannot be read (permissions, a directory in its place).
    case unreadable(path: String, reason: String)
    /// A file the caller named explicitly (or `$REGISTRY_AUTH_FILE`) does not exist: a typo must not
    /// quietly mean anonymous pulls.
    case namedFileMissing(path: String)
    /// The file exists but holds nothing (or only whitespace), as `/dev/null` does. podman and skopeo
    /// refuse such a file too (containers/image: "unexpected end of JSON input"); `{}` is the file
    /// with no credentials.
    case empty(path: String)
    /// The file is not JSON at all; `position` is where the parser gave up, when it said.
    case notJSON(path: String, position: String?)
    /// A key holds something of the wrong shape; `key` is a path into the document
    /// (`auths`, `auths["quay.io"]`, `auths["quay.io"].auth`).
    case malformed(path: String, key: String, problem: String)
    /// `logout` for a registry the file has no entry for.
    case notLoggedIn(path: String, registry: String)
    /// `login` for a registry whose credentials the file delegates to a credential helper:
    /// an `auths` entry would never be read.
    case managedByHelper(path: String, registry: String, helper: String)
    /// Creating the directory or writing the file failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read auth file \(path): \(reason)"
        case .namedFileMissing(let path):
            return "auth file \(path) does not exist"
        case .empty(let path):
            return "auth file \(path) is empty; an auth file is a JSON object such as {\"auths\": {}}"
        case .notJSON(let path, let position):
            let at = position.map { " (\($0))" } ?? ""
            return "auth file \(path) is not valid JSON\(at)"
        case .malformed(let path, let key, let problem):
            return "auth file \(path): \(key) \(problem)"
        case .notLoggedIn(let path, let registry):
            return "not logged in to \(registry): \(path) has no entry for it"
        case .managedByHelper(let path, let registry, let helper):
            return "\(path) hands \(registry) to credential helper docker-credential-\(helper) (credHelpers)"
        case .writeFailed(let path, let reason):
            return "cannot write auth file \(path): \(reason)"
        }
    }
}
