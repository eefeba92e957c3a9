/// The steps of one node: the node-side program through `oc debug`, and the copy.
extension NodeRunner {
    /// A step failed; `output` is what its command printed, for the user to see.
    struct StepFailure: Error {
        var reason: String
        var output: String
    }

    /// check → (a delta's layers) → copy → load, as the load script does; skipped when every image
    /// is present.
    func load(_ node: String, events: @Sendable (NodeEvent) -> Void) async throws -> NodeOutcome {
        let copy = NodeProgram.copyDirectory + "/" + NodeProgram.copyName(for: archive.sha256)
        let images = archive.images
        do {
            events(.step(node: node, "checking \(images.count) images"))
            let missing: Int
            switch try await step(node, .check, arguments: [copy] + images) {
            case .missing(0, _):
                return NodeOutcome(node: node, result: .skipped(images: images.count))
            case .missing(let count, _):
                missing = count
            case let other:
                throw StepFailure(reason: "checking its images: unexpected answer \(other)", output: "")
            }
            if let delta = archive.delta {
                try await checkLayers(of: delta, on: node, events: events)
            }
            try await copyArchive(to: node, copy: copy, missing: missing, events: events)
            events(.step(node: node, "loading"))
            guard case .loaded = try await step(node, .load, arguments: [copy, archive.sha256.encoded] + images) else {
                throw StepFailure(reason: "loading: unexpected answer", output: "")
            }
            return NodeOutcome(node: node, result: .loaded(images: images.count))
        } catch let failure as StepFailure {
            return NodeOutcome(node: node, result: .failed(reason: failure.reason, output: failure.output))
        }
    }

    /// `podman rmi` of the archive's images, as the clean-up script does.
    func clean(_ node: String, events: @Sendable (NodeEvent) -> Void) async throws -> NodeOutcome {
        let copy = NodeProgram.copyDirectory + "/" + NodeProgram.copyName(for: archive.sha256)
        do {
            events(.step(node: node, "removing \(archive.images.count) images"))
            guard case .removed(let removed, let absent) = try await step(node, .clean, arguments: [copy] + archive.images)
            else {
                throw StepFailure(reason: "removing: unexpected answer", output: "")
            }
            return NodeOutcome(node: node, result: .cleaned(removed: removed, absent: absent))
        } catch let failure as StepFailure {
            return NodeOutcome(node: node, result: .failed(reason: failure.reason, output: failure.output))
        }
    }

    /// A delta's layers must all be on the node before anything is copied there.
    private func checkLayers(of delta: NodeDelta, on node: String, events: @Sendable (NodeEvent) -> Void) async throws {
        events(.step(node: node, "checking the \(delta.layers.count) layers the delta relies on"))
        let (answer, printed) = try await stepPrinting(node, .layers, arguments: delta.layers.map(\.description))
        switch answer {
        case .layersMissing(0, _):
            return
        case .layersMissing(let missing, let total):
            throw StepFailure(
                reason: "it lacks \(missing) of \(total) layers this delta relies on; load \(delta.baseNames) on it first, then this delta",
                output: printed)
        case let other:
            throw StepFailure(reason: "checking its layers: unexpected answer \(other)", output: printed)
        }
    }

    /// Runs one node-side step through `oc debug` and reads its result line; the result line
    /// counts, since older oc exits 0 whatever the command did.
    func step(_ node: String, _ step: NodeProgram.Step, arguments: [String]) async throws -> NodeStepResult {
        try await stepPrinting(node, step, arguments: arguments).result
    }

    /// ``step(_:_:arguments:)``, and what the step printed.
    func stepPrinting(_ node: String, _ step: NodeProgram.Step, arguments: [String]) async throws -> (result: NodeStepResult, printed: String) {
        let program = NodeProgram.source(for: [step])
        let result = try await processes.run(commands.debug(node, program: program, arguments: [step.rawValue] + arguments))
        let printed = result.output + (result.errors.isEmpty ? "" : "\n" + result.errors)
        switch NodeStepResult(output: result.output) {
        case nil:
            throw StepFailure(
                reason: "\(step.rawValue): no answer from the node (oc debug exit status \(result.status))", output: printed)
        case .failed(let reason):
            throw StepFailure(reason: reason, output: printed)
        case let answer? where result.status != 0:
            throw StepFailure(reason: "\(step.rawValue): oc debug exit status \(result.status) after \(answer)", output: printed)
        case let answer?:
            return (answer, printed)
        }
    }

    /// Puts the archive at `copy` on the node, by scp or through `oc debug -T`.
    private func copyArchive(to node: String, copy: String, missing: Int, events: @Sendable (NodeEvent) -> Void) async throws {
        let command: [String]
        var stdin: String?
        switch options.copy {
        case .scp:
            let lookup = try await processes.run(commands.internalIP(of: node))
            let address = lookup.output.split(separator: " ").first.map(String.init)?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard lookup.status == 0, let address, !address.isEmpty else {
                throw StepFailure(reason: "oc reports no InternalIP address", output: lookup.output + lookup.errors)
            }
            command = commands.scp(archive.path, toAddress: address, copy: copy)
            events(
                .step(node: node, "\(missing) of \(archive.images.count) images missing; copying \(archive.path) by scp to core@\(address)")
            )
        case .stream:
            command = commands.debug(node, program: ClusterCommands.streamProgram, arguments: [copy], passingStdin: true)
            stdin = archive.path
            events(.step(node: node, "\(missing) of \(archive.images.count) images missing; streaming \(archive.path) through oc debug"))
        }
        let result = try await processes.run(command, stdin: stdin)
        guard result.status == 0 else {
            throw StepFailure(
                reason: "copying the archive to \(copy) failed (\(command[0]) exit status \(result.status))",
                output: result.output + result.errors)
        }
    }
}
