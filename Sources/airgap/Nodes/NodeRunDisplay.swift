import Foundation
import Nodes

/// Prints `nodes run` progress as plain lines, one per node and step (nodes run in parallel, so a
/// redrawn table would hide what happened in which order): steps on stdout, failures with the tail
/// of their output on stderr; with `-q`, only failures.
final class NodeRunDisplay: Sendable {
    private let quiet: Bool
    private let action: NodeRunner.Action
    /// Serializes lines from parallel nodes.
    private let lock = NSLock()

    init(action: NodeRunner.Action, quiet: Bool) {
        self.action = action
        self.quiet = quiet
    }

    func handle(_ event: NodeEvent) {
        lock.withLock {
            switch event {
            case .nodes(let nodes):
                say("airgap: \(action.rawValue) on \(nodes.count) node(s): \(nodes.joined(separator: ", "))")
            case .step(let node, let step):
                say("\(node): \(step)")
            case .finished(let outcome):
                guard case .failed(_, let output) = outcome.result else {
                    say(outcome.summaryLine)
                    return
                }
                var text = outcome.summaryLine + "\n"
                for line in output.split(whereSeparator: \.isNewline).suffix(20) {
                    text += "    | \(line)\n"
                }
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
    }

    private func say(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
