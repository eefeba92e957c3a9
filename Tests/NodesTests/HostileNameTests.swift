import Foundation
import Testing

@testable import Nodes

/// Image names come from the archive, and an archive can be crafted: names holding spaces, quotes,
/// `$(…)`, backquotes, newlines or a leading `-` must reach podman as exactly those bytes, one
/// argument each, and run nothing, on this host and through the stand-in `oc` (a TEST DOUBLE for a
/// cluster we do not have, see testdata/nodes/README.md), in the scripts and in `nodes run`.
@Suite struct HostileNameTests {
    /// Names that would each run `touch CANARY` if any shell parsed them as code.
    static func names(canary: String) -> [String] {
        [
            "docker.io/library/busybox:1.29",
            "$(touch \(canary)-1)",
            "`touch \(canary)-2`",
            "x'; touch \(canary)-3; echo '",
            "x\"; touch \(canary)-4; echo \"",
            "a b\nc; touch \(canary)-5",
            "${IFS}$(touch${IFS}\(canary)-6)",
            "-rf",
            "--all",
        ]
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var thisHost: Bool
        var runner: Bool
        var testDescription: String { runner ? "nodes run" : thisHost ? "script, AIRGAP_THIS_HOST=1" : "script through oc" }
    }

    @Test(arguments: [Case(thisHost: true, runner: false), Case(thisHost: false, runner: false), Case(thisHost: false, runner: true)])
    func craftedNamesReachPodmanVerbatimAndRunNothing(_ how: Case) async throws {
        let scratch = try Scratch()
        let canary = scratch.path + "/pwned"
        let names = Self.names(canary: canary)
        let path = try scratch.file("images.tar")
        try ArchiveFixture(names).write(to: path)
        let archive = try NodeArchive.read(path: path)
        #expect(archive.images == names, "the reader keeps the names as they are")
        let cluster = try StandInCluster(in: scratch, nodes: ["a"])
        var environment = cluster.environment
        if how.thisHost {
            environment["AIRGAP_THIS_HOST"] = "1"
            environment["AIRGAP_STANDIN_NODE"] = cluster.node("a")
            environment["TMPDIR"] = cluster.node("a") + "/var/tmp"
        }

        for action in NodeRunner.Action.allCases {
            if how.runner {
                let summary = try await NodeRunner(archive: archive, options: NodeScriptOptions(), environment: environment).run(action)
                #expect(summary.succeeded, "\(summary.lines)")
            } else {
                let script =
                    action == .load
                    ? NodeScript.load(archive, options: NodeScriptOptions()) : NodeScript.clean(archive, options: NodeScriptOptions())
                let findings = try await ScriptRun.shellcheck(script, in: scratch)
                #expect(findings.isEmpty, "\(findings)")
                let result = try await ScriptRun.bash(script, in: scratch, environment: environment)
                #expect(result.status == 0, "\(action): \(result.output)\(result.errors)")
            }
            if action == .load { #expect(try cluster.images(on: "a") == names.sorted(), "every name loaded as is") }
        }

        let calls = try cluster.podmanCalls(on: "a")
        let checked = calls.filter { $0.starts(with: ["image", "exists", "--"]) }.map { $0[3] }
        #expect(Array(checked.prefix(names.count)) == names, "each name is one argument, byte for byte")
        #expect(calls.filter { $0.first == "rmi" }.map { $0.last! } == names)
        #expect(calls.allSatisfy { $0.first == "image" || $0.first == "load" || $0.first == "rmi" })
        #expect(try cluster.images(on: "a").isEmpty)
        let planted = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix("pwned") }
        #expect(planted.isEmpty, "no name ran as code")
    }
}
