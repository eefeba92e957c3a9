import Archive
import Foundation
import OCI
import Testing

@testable import Nodes

/// The generated scripts, run. The node side runs against a fake podman (testdata/nodes/podman-fake),
/// either here (`AIRGAP_THIS_HOST=1`) or on "nodes" reached through stand-in `oc` and `scp`
/// executables: TEST DOUBLES for a cluster these tests do not have (testdata/nodes/README.md). They
/// act on local directories; no API server or SSH server is involved. The same node side against
/// the real podman is in IntegrationTests/NodesTests.swift.
@Suite struct LoadScriptRunTests {
    @Test func onThisHostItLoadsThenSkipsThenCleansUpExactlyTheArchivesImages() async throws {
        let scenario = try Scenario(nodes: ["here"])
        try scenario.cluster.preload([Scenario.unrelated], on: "here")
        let environment = scenario.thisHostEnvironment(as: "here")

        let load = NodeScript.load(scenario.archive, options: NodeScriptOptions())
        let first = try await scenario.run(load, environment: environment)
        #expect(first.status == 0, "\(first.output)\(first.errors)")
        #expect(first.output.contains("this host: loaded 2 images"))
        #expect(try scenario.cluster.images(on: "here") == (Scenario.images + [Scenario.unrelated]).sorted())
        #expect(try scenario.cluster.leftovers(on: "here").isEmpty, "the copy is removed")
        let copy = scenario.cluster.node("here") + "/var/tmp/" + scenario.copyName
        #expect(try scenario.podmanLoads(on: "here") == [["load", "-i", copy]])

        let second = try await scenario.run(load, environment: environment)
        #expect(second.status == 0, "\(second.output)\(second.errors)")
        #expect(second.output.contains("this host: skipped, every image is present"))
        #expect(second.output.contains("0 loaded, 1 skipped"))
        #expect(try scenario.podmanLoads(on: "here").count == 1, "nothing is loaded again")

        let clean = NodeScript.clean(scenario.archive, options: NodeScriptOptions())
        let cleaned = try await scenario.run(clean, environment: environment)
        #expect(cleaned.status == 0, "\(cleaned.output)\(cleaned.errors)")
        #expect(cleaned.output.contains("this host: removed 2, absent 0"))
        #expect(try scenario.cluster.images(on: "here") == [Scenario.unrelated])
        let removals = try scenario.cluster.podmanCalls(on: "here").filter { $0.first == "rmi" }
        #expect(removals == Scenario.images.map { ["rmi", "--", $0] })

        let again = try await scenario.run(clean, environment: environment)
        #expect(again.output.contains("this host: removed 0, absent 2"))
    }

    @Test func itVisitsEveryNodeThroughOcDebugAndScp() async throws {
        let scenario = try Scenario(nodes: ["a", "b", "c"])
        try scenario.cluster.preload(Scenario.images, on: "b")
        let tools = "registry.lab:5000/rhel7/support-tools:latest"
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions(toolsImage: tools)))
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("node/a: loaded 2 images"))
        #expect(result.output.contains("node/b: skipped, every image is present"))
        #expect(result.output.contains("airgap: 3 node(s): 2 loaded, 1 skipped (every image present), 0 failed"))
        for node in ["a", "c"] {
            #expect(try scenario.cluster.images(on: node) == Scenario.images.sorted())
            #expect(try scenario.cluster.leftovers(on: node).isEmpty)
        }
        let calls = try scenario.cluster.calls()
        #expect(calls.first == ["oc", "get", "nodes", "-o", "name"])
        let debugs = calls.filter { $0.starts(with: ["oc", "debug"]) }
        #expect(debugs.count == 5, "check on three nodes, load on two")
        #expect(debugs.allSatisfy { $0[2] == "--image=" + tools && Array($0[4...8]) == ["--", "chroot", "/host", "bash", "-c"] })
        let copies = calls.filter { $0.first == "scp" }
        #expect(copies.map(\.last) == ["core@10.0.0.1:/var/tmp/\(scenario.copyName)", "core@10.0.0.3:/var/tmp/\(scenario.copyName)"])
        #expect(copies.allSatisfy { $0.contains("BatchMode=yes") && $0.contains("./images.tar") })
    }

    @Test(arguments: [false, true])
    func aFailingNodeStopsTheScriptUnlessItGoesOn(keepGoing: Bool) async throws {
        let scenario = try Scenario(nodes: ["a", "b"])
        try scenario.cluster.mark("a", "unreachable")
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions(keepGoing: keepGoing)))
        #expect(result.status == 1)
        #expect(result.errors.contains("node/a: FAILED: checking its images: no answer from the node (exit status 1)"))
        #expect(result.output.contains("  failed: node/a (checking its images"))
        if keepGoing {
            #expect(result.output.contains("1 loaded, 0 skipped (every image present), 1 failed"))
            #expect(try scenario.cluster.images(on: "b") == Scenario.images.sorted())
        } else {
            #expect(result.output.contains("not tried: 1 node(s)"))
            #expect(try scenario.cluster.images(on: "b").isEmpty)
        }
    }

    @Test func streamingCopiesThroughOcDebugToTheSelectedNodes() async throws {
        let scenario = try Scenario(nodes: ["a", "b"], labels: ["a": ["role=worker"]])
        let options = NodeScriptOptions(copy: .stream, nodes: .selector("role=worker"))
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: options))
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(try scenario.cluster.images(on: "a") == Scenario.images.sorted())
        #expect(try scenario.cluster.images(on: "b").isEmpty)
        let calls = try scenario.cluster.calls()
        #expect(calls.first == ["oc", "get", "nodes", "-o", "name", "-l", "role=worker"])
        #expect(
            calls.contains([
                "oc", "debug", "-T", "node/a", "--", "chroot", "/host", "bash", "-c", #"cat >"$1""#, "airgap-node",
                "/var/tmp/" + scenario.copyName,
            ]))
        #expect(!calls.contains { $0.first == "scp" })
    }

    @Test func theResultLineCountsEvenWhenOcExitsZero() async throws {
        let scenario = try Scenario(nodes: ["a"])
        try scenario.cluster.mark("a", "fail-load")
        var environment = scenario.cluster.environment
        environment["AIRGAP_STANDIN_OC_EXIT_ZERO"] = "1"
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions()), environment: environment)
        #expect(result.status == 1)
        #expect(result.errors.contains("node/a: FAILED: podman load exited with status 125"))
        #expect(result.errors.contains("    | Error: payload does not match"), "what the node printed is shown")
        #expect(try scenario.cluster.leftovers(on: "a").isEmpty, "the copy is removed after a failed load too")
    }

    @Test func aCopyCutShortIsCaughtByTheSha256OnTheNode() async throws {
        let scenario = try Scenario(nodes: ["a"])
        try scenario.cluster.mark("a", "scp-truncates")
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions()))
        #expect(result.status == 1)
        #expect(result.errors.contains("does not have sha256 \(scenario.archive.sha256.encoded) (incomplete or damaged in transit)"))
        #expect(try scenario.podmanLoads(on: "a").isEmpty, "podman never reads a damaged copy")
        #expect(try scenario.cluster.leftovers(on: "a").isEmpty)
    }

    @Test func anotherArchiveIsRefusedBeforeAnyNodeIsTouched() async throws {
        let scenario = try Scenario(nodes: ["a"])
        let other = try scenario.scratch.file("other.tar")
        try ArchiveFixture(Scenario.images).write(to: other)
        var environment = scenario.cluster.environment
        environment["AIRGAP_ARCHIVE"] = other
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions()), environment: environment)
        #expect(result.status == 1)
        #expect(result.errors.contains("it is not the archive this script was generated for"))
        #expect(try scenario.cluster.calls() == [["oc", "get", "nodes", "-o", "name"]])
    }

    @Test func cleanUpRemovesOnlyTheArchivesImagesAndReportsAnImageInUse() async throws {
        let scenario = try Scenario(nodes: ["a", "b"])
        for node in ["a", "b"] { try scenario.cluster.preload(Scenario.images + [Scenario.unrelated], on: node) }
        try scenario.cluster.mark("a", "in-use")
        let clean = NodeScript.clean(scenario.archive, options: NodeScriptOptions(nodes: .named(["node/a", "node/b"]), keepGoing: true))
        let result = try await scenario.run(clean)
        #expect(result.status == 1)
        #expect(result.errors.contains("node/a: FAILED: 2 of 2 images could not be removed (is a container using them?)"))
        #expect(result.output.contains("node/b: removed 2, absent 0"))
        #expect(result.output.contains("airgap: 2 node(s): 1 cleaned, 1 failed"))
        #expect(try scenario.cluster.images(on: "b") == [Scenario.unrelated])
        #expect(try scenario.cluster.images(on: "a") == (Scenario.images + [Scenario.unrelated]).sorted())
        #expect(try scenario.cluster.calls().allSatisfy { $0.starts(with: ["oc", "debug"]) }, "named nodes: no listing, no copy")
    }
    // MARK: - Deltas

    @Test func aDeltaIsCopiedOnlyToNodesThatHoldEveryLayerItLeftOut() async throws {
        let scenario = try Scenario(nodes: ["a", "b", "c"], deltaBases: [DeltaBase(name: "may.tar")])
        let layer = try #require(scenario.archive.delta?.layers.first)
        try Data("\(layer)\n".utf8).write(to: URL(fileURLWithPath: scenario.cluster.node("a") + "/layers"))
        try Data("\(Digest.compute(of: Data("another".utf8)))\n".utf8).write(to: URL(fileURLWithPath: scenario.cluster.node("c") + "/layers"))
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions(keepGoing: true)))
        #expect(result.status == 1)
        #expect(result.output.contains("node/a: 2 of 2 images missing; checking the 1 layers the delta relies on"))
        #expect(result.output.contains("node/a: every layer is there; copying images.tar"))
        #expect(result.output.contains("node/a: loaded 2 images"))
        for node in ["b", "c"] {
            #expect(result.errors.contains("node/\(node): FAILED: it lacks 1 of 1 layers this delta relies on; load may.tar on it first, then this delta"))
            #expect(result.errors.contains("    | layer not here: \(layer)"), "the node names the layer")
            #expect(try scenario.cluster.images(on: node).isEmpty)
            #expect(try scenario.podmanLoads(on: node).isEmpty, "nothing loaded")
        }
        #expect(result.output.contains("airgap: 3 node(s): 1 loaded, 0 skipped (every image present), 2 failed"))
        let copies = try scenario.cluster.calls().filter { $0.first == "scp" }
        #expect(copies.map(\.last) == ["core@10.0.0.1:/var/tmp/\(scenario.copyName)"], "copied to node a only")
        #expect(try scenario.cluster.images(on: "a") == Scenario.images.sorted())
    }

    @Test func aDeltaOnANodeWithEveryImageIsSkippedWithoutALayerCheck() async throws {
        let scenario = try Scenario(nodes: ["a"], deltaBases: [DeltaBase(name: "may.tar")])
        try scenario.cluster.preload(Scenario.images, on: "a")
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions()))
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("node/a: skipped, every image is present"))
        #expect(try !scenario.cluster.podmanCalls(on: "a").contains { $0.first == "images" })
    }

    @Test func aPodmanThatCannotListItsLayersFailsTheNodeAsSuch() async throws {
        let scenario = try Scenario(nodes: ["a"], deltaBases: [DeltaBase(name: "may.tar")])
        try Data("sha256:\(String(repeating: "0", count: 64))\n".utf8).write(to: URL(fileURLWithPath: scenario.cluster.node("a") + "/layers"))
        try scenario.cluster.mark("a", "fail-inspect")
        let result = try await scenario.run(NodeScript.load(scenario.archive, options: NodeScriptOptions()))
        #expect(result.status == 1)
        #expect(result.errors.contains("node/a: FAILED: checking its layers: podman image inspect failed"))
        #expect(result.errors.contains("    | Error: inspecting object: image not known"), "podman's own words, from the node")
        #expect(try scenario.cluster.calls().filter { $0.first == "scp" }.isEmpty, "nothing copied")
    }
}
