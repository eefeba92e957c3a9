/// Why a suite could not be found, read or saved.
public enum SuiteCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No suite has this name. `suggestion` is the closest known name, when one is close enough
    /// to be a likely typo; `known` lists every name.
    case unknownSuite(String, suggestion: String?, known: [String])
    /// A name that cannot be a suite file's name.
    case invalidName(String)
    /// `save-suite` with the name of a built-in suite.
    case builtInName(String)
    /// `save-suite` over an existing suite without `--force`.
    case suiteExists(String, path: String)
    /// `save-suite` of an empty list.
    case emptySuite(String)
    /// The catalog directory exists and cannot be listed.
    case unreadableCatalog(path: String, reason: String)
    /// The suite file or its directory cannot be written.
    case unwritableCatalog(path: String, reason: String)
    /// A stored suite file that is not a valid list.
    case invalidSuiteFile(ImageListError)

    public var description: String {
        switch self {
        case .unknownSuite(let name, let suggestion, let known):
            let hint = suggestion.map { "; did you mean \"\($0)\"?" } ?? "."
            return "unknown suite \"\(name)\"\(hint) Known suites: \(known.joined(separator: ", "))"
        case .invalidName(let name):
            return "invalid suite name \"\(name)\": use lowercase letters, digits, \".\", \"_\" and \"-\", "
                + "starting with a letter or digit (e.g. my-conformance)"
        case .builtInName(let name):
            return "\"\(name)\" is a built-in suite; save under another name (e.g. \(name)-lab)"
        case .suiteExists(let name, let path):
            return "suite \"\(name)\" already exists (\(path))"
        case .emptySuite(let name):
            return "nothing to save as suite \"\(name)\": the list is empty"
        case .unreadableCatalog(let path, let reason):
            return "cannot read the suite catalog \(path): \(reason)"
        case .unwritableCatalog(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidSuiteFile(let error):
            return "stored suite: \(error)"
        }
    }

    /// The name in `candidates` with the fewest edits from `name`, ignoring case, if that is at
    /// most a third of the name's length (at least 2): further off is a different word, not a typo.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        let scored = candidates.map { (name: $0, distance: editDistance(target, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.distance < $1.distance }),
            best.distance <= max(2, target.count / 3)
        else { return nil }
        return best.name
    }

    /// Levenshtein distance: insertions, deletions and substitutions, one row at a time.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
