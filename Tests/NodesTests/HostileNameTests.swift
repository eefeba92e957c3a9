import Foundation
import OCI
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
            // Terminal controls and invisible characters: in the scripts as $'…' with \xHH escapes.
            "registry.example.com/esc\u{1B}[31mred\u{1B}[0m:1",
            "registry.example.com/cr:1\rOK: all loaded",
            "bel\u{07}\u{7F}",
            "registry.example.com/\u{202E}1:gat",
            "x\u{1B}'; touch \(canary)-7; echo '\\",
        ]
    }

    /// Every character of a generated script is shown as itself, except its own line breaks and
    /// tabs: names with ESC, CR or U+202E appear as escapes (before: raw, so `cat load.sh` ran
    /// the ESC sequences, and U+202E reordered the line on screen).
    @Test func scriptsShowEveryCharacter() throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        try ArchiveFixture(Self.names(canary: scratch.path + "/pwned")).write(to: path)
        let archive = try NodeArchive.read(path: path)
        for script in [NodeScript.load(archive, options: NodeScriptOptions()), NodeScript.clean(archive, options: NodeScriptOptions())] {
            let hidden = script.unicodeScalars.filter { VisibleText.needsEscaping($0) && $0 != "\n" && $0 != "\t" }
            #expect(hidden.isEmpty, "\(hidden.map { VisibleText.escape($0) })")
            #expect(script.contains(#"$'registry.example.com/esc\x1b[31mred\x1b[0m:1'"#))
            #expect(script.contains(#"$'registry.example.com/\xe2\x80\xae1:gat'"#))
        }
    }

    /// The scripts' `visible` function, which shows what a node printed (podman's lines name the
    /// archive's images as they are), escapes terminal controls and invisible characters.
    @Test func theScriptsShowANodesOutputEscaped() async throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        try ArchiveFixture(["docker.io/library/busybox:1.29"]).write(to: path)
        let script = NodeScript.clean(try NodeArchive.read(path: path), options: NodeScriptOptions())
        let start = try #require(script.range(of: "visible() {"))
        let end = try #require(script.range(of: "\n}\n", range: start.upperBound..<script.endIndex))
        let function = String(script[start.lowerBound..<end.upperBound])
        let printed = "Loaded image: reg/esc\u{1B}[2J:1\rOK é 日本 \u{202E}x\u{200B}\u{85}\u{FEFF}\u{7F}\u{07}"
        let result = try await ScriptRun.bash(
            function + "visible \(ShellQuoting.word(printed))\n", in: scratch, environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == #"Loaded image: reg/esc\x1b[2J:1\x0dOK é 日本 \xe2\x80\xaex\xe2\x80\x8b\xc2\x85\xef\xbb\xbf\x7f\x07"# + "\n")
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
