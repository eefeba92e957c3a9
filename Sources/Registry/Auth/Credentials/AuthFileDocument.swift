import Foundation

/// The top-level JSON object of an auth file, kept whole: readers take typed values out of it
/// (an error names the key of anything misshapen), and the writer changes `auths` and writes back
/// every other key untouched, as containers/image's `modifyDockerConfigJSON` does.
struct AuthFileDocument {
    let path: String
    var object: [String: Any]

    init(path: String, object: [String: Any] = [:]) {
        self.path = path
        self.object = object
    }

    init(path: String, contents: Data) throws(AuthFileError) {
        self.path = path
        // JSON's own whitespace only: what containers/image refuses as the end of input.
        if contents.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            throw .empty(path: path)
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: contents)
        } catch {
            // The parser's own message could quote the bytes near the fault (a secret, perhaps):
            // keep only where it stopped.
            throw .notJSON(path: path, position: Self.position(of: error, in: contents))
        }
        guard let object = parsed as? [String: Any] else {
            throw .malformed(path: path, key: "the top level", problem: "is not a JSON object; expected {\"auths\": {…}}")
        }
        self.object = object
    }

    /// `auths`, every entry checked for shape (not yet decoded).
    func auths() throws(AuthFileError) -> [String: AuthFile.Entry] {
        var entries: [String: AuthFile.Entry] = [:]
        for (key, value) in try map("auths") {
            let name = "auths[\"\(key)\"]"
            if value is NSNull { continue }
            guard let fields = value as? [String: Any] else {
                throw .malformed(path: path, key: name, problem: "is not a JSON object; expected {\"auth\": \"…\"}")
            }
            func field(_ field: String) throws(AuthFileError) -> String? {
                switch fields[field] {
                case nil, is NSNull: return nil
                case let text as String: return text
                default: throw .malformed(path: path, key: "\(name).\(field)", problem: "is not a string")
                }
            }
            entries[key] = AuthFile.Entry(
                auth: try field("auth"), username: try field("username"), password: try field("password"),
                identityToken: try field("identitytoken"))
        }
        return entries
    }

    /// A map of strings such as `credHelpers`; empty when absent.
    func stringMap(_ key: String) throws(AuthFileError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in try map(key) {
            guard let text = value as? String else {
                throw .malformed(path: path, key: "\(key)[\"\(name)\"]", problem: "is not a string; expected a helper name such as \"pass\"")
            }
            result[name] = text
        }
        return result
    }

    func string(_ key: String) throws(AuthFileError) -> String? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let text as String: return text.isEmpty ? nil : text
        default: throw .malformed(path: path, key: key, problem: "is not a string")
        }
    }

    func map(_ key: String) throws(AuthFileError) -> [String: Any] {
        switch object[key] {
        case nil, is NSNull: return [:]
        case let map as [String: Any]: return map
        default: throw .malformed(path: path, key: key, problem: "is not a JSON object")
        }
    }

    /// The document as written back: indented, keys sorted so rewrites diff cleanly.
    func serialized() throws(AuthFileError) -> Data {
        do {
            var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            data.append(0x0A)
            return data
        } catch {
            throw .writeFailed(path: path, reason: "cannot encode the new contents as JSON")
        }
    }

    /// `line L, column C` from Foundation's "around character N", or nil when it gave no offset.
    static func position(of error: any Error, in contents: Data) -> String? {
        guard let debug = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String,
            let marker = debug.range(of: "character ") else { return nil }
        guard let offset = Int(debug[marker.upperBound...].prefix(while: \.isNumber)) else { return nil }
        let before = contents.prefix(offset)
        let line = before.count(where: { $0 == 0x0A }) + 1
        let lineStart = before.lastIndex(of: 0x0A).map { $0 - contents.startIndex + 1 } ?? 0
        let column = min(offset, contents.count) - lineStart + 1
        return "line \(line), column \(column)"
    }
}
