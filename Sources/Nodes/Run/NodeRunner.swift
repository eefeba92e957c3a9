import Foundation

/// `airgap nodes run`: the generated scripts' procedure, performed directly. Runs `oc` and `scp`
/// for every node, several nodes at once, and reports each step as an event.
///
/// Each node goes through the same steps as in the scripts, with the same node-side program
/// (``NodeProgram``): load is check → copy → load (skipped when every image is present), clean is
/// one `podman rmi` step.
public struct NodeRunner: Sendable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case load, clean
    }

    public var archive: NodeArchive
    public var options: NodeScriptOptions
    /// Nodes worked on at once.
    public var parallel: Int
    /// What `oc` and `scp` run with; its `PATH` is where they are found.
    public var environment: [String: String]

    public init(
        archive: NodeArchive, options: NodeScriptOptions, parallel: Int = 4,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.archive = archive
        self.options = options
        self.parallel = max(1, parallel)
        self.environment = environment
    }

    var commands: ClusterCommands { ClusterCommands(toolsImage: options.toolsImage) }
    var processes: ChildProcess { ChildProcess(environment: environment) }

    /// Lists the nodes, then takes each through `action`, `parallel` at a time. Without
    /// `keepGoing`, no node is started after one failed (those running finish).
    ///
    /// - Throws: ``NodeRunError`` when the nodes cannot be listed; `CancellationError` when the
    ///   task is cancelled. A node's failure is an outcome, not an error.
    public func run(_ action: Action, events: @escaping @Sendable (NodeEvent) -> Void = { _ in }) async throws -> NodeRunSummary {
        let nodes = try await listNodes()
        events(.nodes(nodes))
        var outcomes: [String: NodeOutcome] = [:]
        await withTaskGroup(of: NodeOutcome.self) { group in
            var next = 0
            var stopping = false
            func startNext() {
                guard !stopping, next < nodes.count else { return }
                let node = nodes[next]
                next += 1
                group.addTask { await visit(node, action, events: events) }
            }
            for _ in 0..<min(parallel, nodes.count) { startNext() }
            while let outcome = await group.next() {
                outcomes[outcome.node] = outcome
                events(.finished(outcome))
                if outcome.failed && !options.keepGoing { stopping = true }
                startNext()
            }
        }
        try Task.checkCancellation()
        return NodeRunSummary(action: action, nodes: nodes, outcomes: nodes.compactMap { outcomes[$0] })
    }

    /// The chosen nodes, or what `oc get nodes -o name` lists (`node/NAME` lines).
    func listNodes() async throws -> [String] {
        guard let command = commands.listNodes(options.nodes) else {
            if case .named(let nodes) = options.nodes { return nodes }
            return []
        }
        let result = try await processes.run(command)
        guard result.status == 0 else {
            throw NodeRunError.nodeListing(
                "`\(command.joined(separator: " "))` failed with status \(result.status): "
                    + Self.tail(result.errors.isEmpty ? result.output : result.errors, lines: 3))
        }
        let nodes = result.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if let odd = nodes.first(where: { !$0.hasPrefix("node/") || !NodeSelection.isNodeName($0.dropFirst(5)) }) {
            throw NodeRunError.nodeListing("`\(command.joined(separator: " "))` printed \(odd.debugDescription), not node/NAME")
        }
        guard !nodes.isEmpty else {
            throw NodeRunError.nodeListing(
                command.contains("-l") ? "no node matches the selector \(command.last ?? "")" : "oc get nodes lists no node")
        }
        return nodes
    }

    /// One node, start to end; every failure becomes the node's outcome.
    private func visit(_ node: String, _ action: Action, events: @escaping @Sendable (NodeEvent) -> Void) async -> NodeOutcome {
        do {
            switch action {
            case .load: return try await load(node, events: events)
            case .clean: return try await clean(node, events: events)
            }
        } catch is CancellationError {
            return NodeOutcome(node: node, result: .failed(reason: "interrupted", output: ""))
        } catch {
            return NodeOutcome(node: node, result: .failed(reason: "\(error)", output: ""))
        }
    }

    /// The last `lines` non-empty lines of `text`, joined by " / " for a one-line message.
    static func tail(_ text: String, lines: Int) -> String {
        text.split(whereSeparator: \.isNewline).suffix(lines).joined(separator: " / ")
    }
}
