import Foundation

extension AuthFile {
    /// Where one file sends a lookup for a registry.
    public enum Match: Sendable, Hashable {
        /// An `auths` entry with something to authenticate with, under `key` as written in the file.
        case entry(key: String, Entry)
        /// `credHelpers` names a helper for the registry: ask it, and nothing else in this file.
        case helper(name: String)
        /// No entry, but `credsStore` names the helper for every registry.
        case store(name: String)
    }

    /// What this file offers for `repository` on `host`: `credHelpers[host]` first (as docker and
    /// containers/image do), then the most specific `auths` key (`host/ns/repo`, `host/ns`, `host`,
    /// each also under URL forms and Docker Hub's aliases), then `credsStore`. `nil`: try the next file.
    public func match(host: String, repository: String?) -> Match? {
        let canonicalHost = AuthFileKey.canonicalHost(host)
        if let helper = credHelpers[host] ?? credHelpers.sortedFirst(where: { AuthFileKey.canonical($0) == canonicalHost }) {
            return .helper(name: helper)
        }
        for candidate in AuthFileKey.lookupOrder(host: host, repository: repository) {
            // The key exactly as podman writes it first; then other spellings of it, in a fixed order.
            let keys = ([candidate] + auths.keys.sorted().filter { $0 != candidate && AuthFileKey.canonical($0) == candidate })
            for key in keys {
                if let entry = auths[key], !entry.isEmpty { return .entry(key: key, entry) }
            }
        }
        if let credsStore { return .store(name: credsStore) }
        return nil
    }

    /// The credentials of the entry under `key`, decoded. Errors name this file and the key, and
    /// say what is wrong with the value without showing it.
    public func credentials(key: String, entry: Entry) throws(AuthFileError) -> Credentials? {
        let identityToken = entry.identityToken.flatMap { $0.isEmpty ? nil : $0 }
        if let auth = entry.auth?.trimmingCharacters(in: .whitespacesAndNewlines), !auth.isEmpty {
            let name = "auths[\"\(key)\"].auth"
            guard let bytes = Self.decodeBase64(auth) else {
                throw .malformed(path: path, key: name, problem: "is not valid base64; expected base64 of USER:PASSWORD")
            }
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                throw .malformed(path: path, key: name, problem: "does not decode to UTF-8 text; expected base64 of USER:PASSWORD")
            }
            guard let colon = text.firstIndex(of: ":") else {
                throw .malformed(path: path, key: name, problem: "decodes to text without a ':'; expected base64 of USER:PASSWORD")
            }
            // Only the first ':' separates: passwords and tokens may contain more. Trailing NULs are
            // padding some tools wrote (containers/image trims them too).
            let password = String(text[text.index(after: colon)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
            return Credentials(username: String(text[..<colon]), password: password, identityToken: identityToken)
        }
        if let username = entry.username, !username.isEmpty, let password = entry.password {
            return Credentials(username: username, password: password, identityToken: identityToken)
        }
        if let identityToken {
            return Credentials(username: entry.username ?? "", password: "", identityToken: identityToken)
        }
        return nil
    }

    /// Standard base64, also without its `=` padding (some tools drop it).
    static func decodeBase64(_ text: String) -> Data? {
        var padded = text
        if padded.count % 4 != 0 { padded += String(repeating: "=", count: 4 - padded.count % 4) }
        return Data(base64Encoded: padded)
    }
}

extension Dictionary where Key == String {
    /// The value of the first key in sorted order satisfying `predicate`: a fixed answer where a
    /// file spells one registry several ways.
    fileprivate func sortedFirst(where predicate: (String) -> Bool) -> Value? {
        keys.sorted().first(where: predicate).flatMap { self[$0] }
    }
}
