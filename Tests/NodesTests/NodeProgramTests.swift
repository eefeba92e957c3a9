import Foundation
import OCI
import Testing

@testable import Nodes

/// The node side's protocol (result lines) and the quoting every value goes through.
@Suite struct NodeProgramTests {
    @Test(arguments: [
        ("airgap-node: missing 2 of 6", NodeStepResult.missing(2, of: 6)),
        ("Starting pod\nairgap-node: missing 0 of 1\n\nRemoving debug pod ...", .missing(0, of: 1)),
        ("Loaded image: x\nairgap-node: loaded 6\n", .loaded(6)),
        ("airgap-node: removed 3, absent 1", .removed(3, absent: 1)),
        ("airgap-node: loaded 6\nairgap-node: failed: podman load exited with status 125", .failed("podman load exited with status 125")),
    ])
    func theLastResultLineCounts(output: String, expected: NodeStepResult) {
        #expect(NodeStepResult(output: output) == expected)
    }

    @Test(arguments: ["", "podman: command not found", "airgap-node: loaded many", "  airgap-node: loaded 1", "airgap-node: missing 1 of"])
    func noResultLineIsNoResult(output: String) {
        #expect(NodeStepResult(output: output) == nil)
    }

    @Test func theCopyIsNamedByTheDigestOnly() throws {
        let digest = Digest.compute(of: Data("x".utf8))
        #expect(NodeProgram.copyName(for: digest) == "airgap-\(digest.encoded.prefix(16)).tar")
    }

    /// Each text, quoted, read back by bash as one word equal to it.
    @Test(arguments: [
        "plain", "", "a b", "it's", "'", "''", "$(touch pwned)", "`touch pwned`", "\"$HOME\"", "back\\slash", "line\nbreak",
        "tab\there", "*", "~", "!!", "-rf", "; rm -rf /tmp/x", "ünïcødé ☃",
    ])
    func aQuotedWordIsReadBackVerbatim(text: String) async throws {
        let scratch = try Scratch()
        let canary = scratch.path + "/pwned"
        let script = "cd \(ShellQuoting.word(scratch.path))\nset -- \(ShellQuoting.word(text))\nprintf '%s|%s' \"$#\" \"$1\"\n"
        let result = try await ChildProcess(environment: ProcessInfo.processInfo.environment).run(["bash", "-c", script])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "1|" + text)
        #expect(!FileManager.default.fileExists(atPath: canary))
    }

    @Test func commentsLoseTheirLineBreaks() {
        #expect(ShellQuoting.comment("a\nrm -rf /\rb\u{0}c\u{202E}") == #"a\x0arm -rf /\x0db\x00c\u{202e}"#)
        #expect(ShellQuoting.comment("registry.lab:5000/tools:1") == "registry.lab:5000/tools:1")
    }
}

/// The command lines `nodes run` builds.
@Suite struct ClusterCommandsTests {
    @Test(arguments: [
        ("images.tar", "10.0.0.5", "./images.tar", "core@10.0.0.5:/var/tmp/x.tar"),
        ("my:images.tar", "fd00::5", "./my:images.tar", "core@[fd00::5]:/var/tmp/x.tar"),
        ("/srv/images.tar", "10.0.0.5", "/srv/images.tar", "core@10.0.0.5:/var/tmp/x.tar"),
    ])
    func scpKeepsLocalNamesLocalAndBracketsIPv6(source: String, address: String, local: String, remote: String) {
        let command = ClusterCommands().scp(source, toAddress: address, copy: "/var/tmp/x.tar")
        #expect(command == ["scp"] + ClusterCommands.scpOptions + ["--", local, remote])
    }

    @Test func debugPassesTheProgramAsTextAndTheDataAsArguments() {
        let commands = ClusterCommands(toolsImage: "tools:1")
        #expect(
            commands.debug("node/a", program: "PROGRAM", arguments: ["check", "$(x)"])
                == [
                    "oc", "debug", "--image=tools:1", "node/a", "--", "chroot", "/host", "bash", "-c", "PROGRAM", "airgap-node", "check",
                    "$(x)",
                ])
        #expect(
            ClusterCommands().debug("node/a", program: "P", arguments: [], passingStdin: true).prefix(4) == ["oc", "debug", "-T", "node/a"])
        #expect(ClusterCommands().listNodes(.selector("a=b")) == ["oc", "get", "nodes", "-o", "name", "-l", "a=b"])
        #expect(ClusterCommands().listNodes(.named(["node/a"])) == nil)
    }
}
