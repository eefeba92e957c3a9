import Foundation
import Nodes
import OCI

/// Prints `nodes run` progress as plain lines, one per node and step (nodes run in parallel, so a
/// redrawn table would hide what happened in which order): steps on stdout, failures with the tail
/// of their output on stderr; with `-q`, only failures. Every line is escaped (``VisibleText``):
/// a failing node's output quotes podman, which prints the archive's image names as they are.
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
            let (output, errors) = Self.text(for: event, action: action, quiet: quiet)
            if let output { FileHandle.standardOutput.write(Data(output.utf8)) }
            if let errors { FileHandle.standardError.write(Data(errors.utf8)) }
        }
    }

    /// What `event` prints on stdout and on stderr, escaped, each line ending with a line break.
    static func text(for event: NodeEvent, action: NodeRunner.Action, quiet: Bool) -> (output: String?, errors: String?) {
        func line(_ text: String) -> String { VisibleText.escaping(text) + "\n" }
        switch event {
        case .nodes(let nodes):
            return (quiet ? nil : line("airgap: \(action.rawValue) on \(nodes.count) node(s): \(nodes.joined(separator: ", "))"), nil)
        case .step(let node, let step):
            return (quiet ? nil : line("\(node): \(step)"), nil)
        case .finished(let outcome):
            guard case .failed(_, let output) = outcome.result else {
                return (quiet ? nil : line(outcome.summaryLine), nil)
            }
            var text = line(outcome.summaryLine)
            for printed in output.split(whereSeparator: \.isNewline).suffix(20) {
                text += line("    | \(printed)")
            }
            return (nil, text)
        }
    }
}
