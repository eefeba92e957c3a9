import Archive
import Foundation
import Testing

@testable import Nodes

/// `nodes run`'s engine, against stand-in `oc` and `scp` executables on PATH: TEST DOUBLES for a
/// cluster these tests do not have (testdata/nodes/README.md). They act on local directories, and
/// each node's podman is the fake one; IntegrationTests/NodesTests.swift runs it with the real podman.
@Suite struct NodeRunnerTests {
    /// Collects events from the runner's parallel node tasks.
    final class Recorder: Sendable {
        private let lock = NSLock()
        nonisolated(unsafe) private var recorded: [NodeEvent] = []
        var events: [NodeEvent] { lock.withLock { recorded } }
        func record(_ event: NodeEvent) { lock.withLock { recorded.append(event) } }
    }

    @Test func itLoadsEveryNodeInParallelAndSkipsThoseThatHaveEverything() async throws {
        let scenario = try Scenario(nodes: ["a", "b", "c", "d"])
        try scenario.cluster.preload(Scenario.images, on: "c")
        let recorder = Recorder()
        let runner = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(toolsImage: "tools:1"), parallel: 3,
            environment: scenario.cluster.environment)
        let summary = try await runner.run(.load, events: recorder.record)
        #expect(summary.succeeded)
        #expect(summary.nodes == ["node/a", "node/b", "node/c", "node/d"])
        #expect(summary.outcomes.map(\.result) == [.loaded(images: 2), .loaded(images: 2), .skipped(images: 2), .loaded(images: 2)])
        #expect(summary.lines == ["airgap: 4 node(s): 3 loaded, 1 skipped (every image present), 0 failed"])
        for node in ["a", "b", "d"] {
            #expect(try scenario.cluster.images(on: node) == Scenario.images.sorted())
            #expect(try scenario.cluster.leftovers(on: node).isEmpty)
        }
        let events = recorder.events
        #expect(events.first == .nodes(summary.nodes))
        #expect(events.contains(.step(node: "node/a", "checking 2 images")))
        #expect(
            events.contains(
                .step(node: "node/a", "2 of 2 images missing; copying \(scenario.absoluteArchive.path) by scp to core@10.0.0.1")))
        #expect(events.contains(.finished(NodeOutcome(node: "node/c", result: .skipped(images: 2)))))
        let debugs = try scenario.cluster.calls().filter { $0.starts(with: ["oc", "debug"]) }
        #expect(debugs.allSatisfy { $0[2] == "--image=tools:1" })
    }

    @Test func noMoreThanParallelNodesAreWorkedOnAtOnce() async throws {
        let scenario = try Scenario(nodes: ["a", "b", "c", "d", "e"])
        var environment = scenario.cluster.environment
        environment["AIRGAP_STANDIN_OC_TRACK"] = "0.3"
        let runner = NodeRunner(archive: scenario.absoluteArchive, options: NodeScriptOptions(), parallel: 2, environment: environment)
        let summary = try await runner.run(.clean)
        #expect(summary.succeeded, "\(summary.lines)")
        let log = try String(contentsOfFile: scenario.cluster.root + "/debug-pods.log", encoding: .utf8)
        var running = 0
        var most = 0
        for line in log.split(separator: "\n") {
            running += line.hasPrefix("start ") ? 1 : -1
            most = max(most, running)
        }
        #expect(most == 2, "two debug pods at once, never more:\n\(log)")
    }

    @Test(arguments: [false, true])
    func afterAFailureNoNodeStartsUnlessItGoesOn(keepGoing: Bool) async throws {
        let scenario = try Scenario(nodes: ["a", "b", "c"])
        try scenario.cluster.mark("a", "unreachable")
        let runner = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(keepGoing: keepGoing), parallel: 1,
            environment: scenario.cluster.environment)
        let summary = try await runner.run(.load)
        #expect(!summary.succeeded)
        #expect(summary.failures.map(\.node) == ["node/a"])
        guard case .failed(let reason, let output) = summary.failures.first?.result else { return }
        #expect(reason == "check: no answer from the node (oc debug exit status 1)")
        #expect(output.contains("unable to create the debug pod"))
        if keepGoing {
            #expect(summary.untried.isEmpty)
            #expect(try scenario.cluster.images(on: "c") == Scenario.images.sorted())
        } else {
            #expect(summary.untried == ["node/b", "node/c"])
            #expect(summary.lines.last == "  not tried: 2 node(s), after the first failure")
            #expect(try scenario.cluster.images(on: "b").isEmpty)
        }
    }

    @Test func streamingSendsTheArchiveOnStdinOfOcDebug() async throws {
        let scenario = try Scenario(nodes: ["a", "b"], labels: ["b": ["role=worker"]])
        let runner = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(copy: .stream, nodes: .selector("role=worker")),
            environment: scenario.cluster.environment)
        let summary = try await runner.run(.load)
        #expect(summary.succeeded, "\(summary.lines)")
        #expect(summary.nodes == ["node/b"])
        #expect(try scenario.cluster.images(on: "b") == Scenario.images.sorted())
        let calls = try scenario.cluster.calls()
        #expect(
            calls.contains([
                "oc", "debug", "-T", "node/b", "--", "chroot", "/host", "bash", "-c", #"cat >"$1""#, "airgap-node",
                "/var/tmp/" + scenario.copyName,
            ]))
        #expect(!calls.contains { $0.first == "scp" })
    }

    @Test func aDamagedCopyAndALegacyExitZeroAreBothFailures() async throws {
        let scenario = try Scenario(nodes: ["a", "b"])
        try scenario.cluster.mark("a", "scp-truncates")
        try scenario.cluster.mark("b", "fail-load")
        var environment = scenario.cluster.environment
        environment["AIRGAP_STANDIN_OC_EXIT_ZERO"] = "1"
        let runner = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(keepGoing: true), environment: environment)
        let summary = try await runner.run(.load)
        let reasons = summary.failures.compactMap { outcome -> String? in
            if case .failed(let reason, _) = outcome.result { reason } else { nil }
        }
        #expect(reasons.count == 2)
        #expect(reasons.first?.hasPrefix("the copy at ") == true)
        #expect(
            reasons.first?.hasSuffix("does not have sha256 \(scenario.archive.sha256.encoded) (incomplete or damaged in transit)") == true)
        #expect(reasons.last == "podman load exited with status 125")
    }

    @Test func cleanUpRemovesExactlyTheArchivesImagesFromTheNamedNodes() async throws {
        let scenario = try Scenario(nodes: ["a", "b", "c"])
        for node in ["a", "b", "c"] { try scenario.cluster.preload(Scenario.images + [Scenario.unrelated], on: node) }
        let runner = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(nodes: .named(["node/a", "node/c"])),
            environment: scenario.cluster.environment)
        let summary = try await runner.run(.clean)
        #expect(summary.succeeded)
        #expect(summary.outcomes.map(\.result) == [.cleaned(removed: 2, absent: 0), .cleaned(removed: 2, absent: 0)])
        #expect(summary.lines == ["airgap: 2 node(s): 2 cleaned, 0 failed"])
        #expect(try scenario.cluster.images(on: "a") == [Scenario.unrelated])
        #expect(try scenario.cluster.images(on: "b") == (Scenario.images + [Scenario.unrelated]).sorted())
        #expect(
            try scenario.cluster.calls().allSatisfy {
                $0.starts(with: ["oc", "debug", "node/a"]) || $0.starts(with: ["oc", "debug", "node/c"])
            })
    }

    @Test func nodesThatCannotBeListedAreAnError() async throws {
        let scenario = try Scenario(nodes: ["a"])
        let none = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(nodes: .selector("role=gpu")),
            environment: scenario.cluster.environment)
        await #expect(throws: NodeRunError.nodeListing("no node matches the selector role=gpu")) { try await none.run(.load) }

        var environment = scenario.cluster.environment
        environment["PATH"] = "/nonexistent"
        let noOC = NodeRunner(archive: scenario.absoluteArchive, options: NodeScriptOptions(), environment: environment)
        await #expect(throws: NodeRunError.missingTool("oc")) { try await noOC.run(.clean) }
    }

    /// The debug pod would run for ten minutes; cancelling must stop it (SIGTERM, SIGKILL after
    /// 10 s). No time limit: under a full parallel run, other tests' blocking calls starve this
    /// one's threads for minutes; a runner that failed to stop the pod fails the last expectation
    /// (the stand-in logs "end a" when its ten minutes are up), not a clock.
    @Test func cancellingStopsTheRunningCommands() async throws {
        let scenario = try Scenario(nodes: ["a"])
        var environment = scenario.cluster.environment
        environment["AIRGAP_STANDIN_OC_TRACK"] = "600"
        let runner = NodeRunner(archive: scenario.absoluteArchive, options: NodeScriptOptions(), environment: environment)
        let task = Task { try await runner.run(.clean) }
        let log = scenario.cluster.root + "/debug-pods.log"
        func podLog() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        while !podLog().contains("start a") { try await Task.sleep(for: .milliseconds(100)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!podLog().contains("end a"), "the debug pod was stopped, not waited for")
    }
    @Test func aDeltaLoadsOnlyWhereEveryLayerItLeftOutIsAndTheOthersFailNamingTheBase() async throws {
        let scenario = try Scenario(nodes: ["a", "b"], deltaBases: [DeltaBase(name: "may.tar"), DeltaBase(name: "april.tar")])
        let layer = try #require(scenario.archive.delta?.layers.first)
        try Data("\(layer)\n".utf8).write(to: URL(fileURLWithPath: scenario.cluster.node("a") + "/layers"))
        let recorder = Recorder()
        let runner = NodeRunner(
            archive: scenario.absoluteArchive, options: NodeScriptOptions(keepGoing: true), parallel: 1,
            environment: scenario.cluster.environment)
        let summary = try await runner.run(.load, events: recorder.record)
        #expect(summary.outcomes.first == NodeOutcome(node: "node/a", result: .loaded(images: 2)))
        guard case .failed(let reason, let output) = summary.outcomes.last?.result else {
            Issue.record("node/b did not fail: \(summary.outcomes)")
            return
        }
        #expect(reason == "it lacks 1 of 1 layers this delta relies on; load may.tar and april.tar on it first, then this delta")
        #expect(output.contains("layer not here: \(layer)"))
        #expect(recorder.events.contains(.step(node: "node/b", "checking the 1 layers the delta relies on")))
        #expect(try scenario.cluster.images(on: "b").isEmpty)
        #expect(try scenario.cluster.calls().filter { $0.first == "scp" }.count == 1, "copied to node a only")
    }
}
