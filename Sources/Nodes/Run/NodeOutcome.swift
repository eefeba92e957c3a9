/// What `nodes run` did on one node.
public struct NodeOutcome: Sendable, Hashable {
    public enum Result: Sendable, Hashable {
        /// The archive was copied and loaded; every image is now present.
        case loaded(images: Int)
        /// Every image was already present: nothing was copied.
        case skipped(images: Int)
        /// The archive's images were removed (those present) or already gone.
        case cleaned(removed: Int, absent: Int)
        /// Why the node failed, and the tail of what the failing command printed.
        case failed(reason: String, output: String)
    }

    /// `node/NAME`.
    public var node: String
    public var result: Result

    public init(node: String, result: Result) {
        self.node = node
        self.result = result
    }

    public var failed: Bool {
        if case .failed = result { true } else { false }
    }

    /// One line for the user: `node/a: loaded 6 images`.
    public var summaryLine: String {
        switch result {
        case .loaded(let images): "\(node): loaded \(images) image\(images == 1 ? "" : "s")"
        case .skipped: "\(node): skipped, every image is present"
        case .cleaned(let removed, let absent): "\(node): removed \(removed), absent \(absent)"
        case .failed(let reason, _): "\(node): FAILED: \(reason)"
        }
    }
}

/// Every node's outcome, in node order, and the nodes not tried after a failure.
public struct NodeRunSummary: Sendable, Hashable {
    public var action: NodeRunner.Action
    /// Every node, in the order they were listed.
    public var nodes: [String]
    /// The outcome of each node that was tried, in node order.
    public var outcomes: [NodeOutcome]

    public init(action: NodeRunner.Action, nodes: [String], outcomes: [NodeOutcome]) {
        self.action = action
        self.nodes = nodes
        self.outcomes = outcomes
    }

    public var failures: [NodeOutcome] { outcomes.filter(\.failed) }

    /// Nodes not started because an earlier one failed (without `--keep-going`).
    public var untried: [String] {
        let tried = Set(outcomes.map(\.node))
        return nodes.filter { !tried.contains($0) }
    }

    public var succeeded: Bool { failures.isEmpty && untried.isEmpty }

    /// The closing lines, as the scripts print them.
    public var lines: [String] {
        func count(_ match: (NodeOutcome.Result) -> Bool) -> Int { outcomes.filter { match($0.result) }.count }
        var lines: [String]
        switch action {
        case .load:
            let loaded = count { if case .loaded = $0 { true } else { false } }
            let skipped = count { if case .skipped = $0 { true } else { false } }
            lines = [
                "airgap: \(nodes.count) node(s): \(loaded) loaded, \(skipped) skipped (every image present), "
                    + "\(failures.count) failed"
            ]
        case .clean:
            let cleaned = count { if case .cleaned = $0 { true } else { false } }
            lines = ["airgap: \(nodes.count) node(s): \(cleaned) cleaned, \(failures.count) failed"]
        }
        for failure in failures {
            if case .failed(let reason, _) = failure.result { lines.append("  failed: \(failure.node) (\(reason))") }
        }
        if !untried.isEmpty {
            lines.append("  not tried: \(untried.count) node(s), after the first failure")
        }
        return lines
    }
}

/// Progress of `nodes run`, as it happens.
public enum NodeEvent: Sendable, Hashable {
    /// The nodes that will be visited, in order.
    case nodes([String])
    /// A node moved to its next step: "checking 6 images", "copying …", "loading".
    case step(node: String, String)
    /// A node is done.
    case finished(NodeOutcome)
}
