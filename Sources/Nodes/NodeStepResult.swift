/// What a node-side step reported on its `airgap-node: …` line (see ``NodeProgram``).
public enum NodeStepResult: Sendable, Hashable {
    /// `check`: how many of the archive's images the node lacks.
    case missing(Int, of: Int)
    /// `layers`: how many of the layers a delta relies on the node lacks.
    case layersMissing(Int, of: Int)
    /// `load`: every image is now present.
    case loaded(Int)
    /// `clean`: images removed, and images that were not there.
    case removed(Int, absent: Int)
    /// The step says why it failed.
    case failed(String)

    /// The last result line in a step's output, or `nil` when the step never got to say (oc could
    /// not start the debug pod, the node's bash died).
    public init?(output: String) {
        guard let line = output.split(whereSeparator: \.isNewline).last(where: { $0.hasPrefix(NodeProgram.resultPrefix) })
        else { return nil }
        self.init(line: String(line.dropFirst(NodeProgram.resultPrefix.count)))
    }

    init?(line: String) {
        let words = line.split(separator: " ")
        if line.hasPrefix("failed: ") {
            self = .failed(String(line.dropFirst("failed: ".count)))
        } else if words.count == 4, words[0] == "missing", words[2] == "of", let missing = Int(words[1]),
            let total = Int(words[3])
        {
            self = .missing(missing, of: total)
        } else if words.count == 5, words[0] == "layers", words[1] == "missing", words[3] == "of",
            let missing = Int(words[2]), let total = Int(words[4])
        {
            self = .layersMissing(missing, of: total)
        } else if words.count == 2, words[0] == "loaded", let count = Int(words[1]) {
            self = .loaded(count)
        } else if words.count == 4, words[0] == "removed", words[1].hasSuffix(","), words[2] == "absent",
            let removed = Int(words[1].dropLast()), let absent = Int(words[3])
        {
            self = .removed(removed, absent: absent)
        } else {
            return nil
        }
    }
}
