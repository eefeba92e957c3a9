/// Why a suite could not be found.
public enum SuiteCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No built-in suite has this name. `suggestion` is the closest known name, when one is
    /// close enough to be a likely typo; `known` lists every name.
    case unknownSuite(String, suggestion: String?, known: [String])

    public var description: String {
        switch self {
        case .unknownSuite(let name, let suggestion, let known):
            let hint = suggestion.map { "; did you mean \"\($0)\"?" } ?? "."
            return "unknown suite \"\(name)\"\(hint) Known suites: \(known.joined(separator: ", "))"
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
