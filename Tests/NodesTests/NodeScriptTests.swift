import Archive
import Foundation
import OCI
import Testing

@testable import Nodes

/// The generated scripts as text: shellcheck-clean for every combination of options, the same text
/// for the same inputs, and every value from the archive or the command line in one quoted word.
@Suite struct NodeScriptTests {
    static let archive = NodeArchive(
        path: "images.tar", sha256: Digest.compute(of: Data("archive".utf8)), size: 1_099_264,
        images: ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"])

    /// Names and paths that would run code if a script ever interpolated them unquoted.
    static let hostile = NodeArchive(
        path: "my images/it's $(touch pwned).tar\nrm -rf /tmp/x",
        sha256: Digest.compute(of: Data("hostile".utf8)), size: 1,
        images: [
            "docker.io/library/busybox:1.29", "a b", "it's", "$(touch pwned)", "`touch pwned`", "x; touch pwned",
            "\"quoted\" $HOME", "-rf", "line\nbreak", "back\\slash", "*", "~root", "!!",
        ])

    /// A delta whose bases' names would run code if a script interpolated them unquoted.
    static let delta = NodeArchive(
        path: "june.tar", sha256: Digest.compute(of: Data("june".utf8)), size: 4096,
        images: ["docker.io/library/busybox:1.30", "k8s.gcr.io/pause:3.2"],
        delta: NodeDelta(
            bases: [DeltaBase(name: "may.tar"), DeltaBase(name: "it's $(touch pwned).tar")],
            layers: [Digest.compute(of: Data("os".utf8)), Digest.compute(of: Data("lib".utf8))]))

    static let selections: [NodeSelection] = [
        .all, .named(["node/worker-0", "node/worker-1.lab"]), .selector("node-role.kubernetes.io/worker="),
    ]

    static var everyOption: [NodeScriptOptions] {
        var all: [NodeScriptOptions] = []
        for copy in CopyMethod.allCases {
            for nodes in selections {
                for toolsImage in [nil, "registry.lab:5000/rhel7/support-tools:latest"] {
                    for keepGoing in [false, true] {
                        all.append(NodeScriptOptions(toolsImage: toolsImage, copy: copy, nodes: nodes, keepGoing: keepGoing))
                    }
                }
            }
        }
        return all
    }

    @Test(arguments: everyOption)
    func everyLoadScriptPassesShellcheck(options: NodeScriptOptions) async throws {
        let scratch = try Scratch()
        for archive in [Self.archive, Self.hostile, Self.delta] {
            let findings = try await ScriptRun.shellcheck(NodeScript.load(archive, options: options), in: scratch)
            #expect(findings.isEmpty, "shellcheck on the load script for \(options):\n\(findings)")
        }
    }

    @Test(arguments: everyOption.filter { $0.copy == .scp })
    func everyCleanScriptPassesShellcheck(options: NodeScriptOptions) async throws {
        let scratch = try Scratch()
        for archive in [Self.archive, Self.hostile] {
            let findings = try await ScriptRun.shellcheck(NodeScript.clean(archive, options: options), in: scratch)
            #expect(findings.isEmpty, "shellcheck on the clean script for \(options):\n\(findings)")
        }
    }

    @Test func theNodeProgramAloneIsShellcheckClean() async throws {
        let scratch = try Scratch()
        for steps in [[NodeProgram.Step.check], [.load], [.clean], NodeProgram.Step.allCases] {
            let findings = try await ScriptRun.shellcheck("#!/bin/bash\n" + NodeProgram.source(for: steps), in: scratch)
            #expect(findings.isEmpty, "shellcheck on the node program for \(steps):\n\(findings)")
        }
    }

    @Test func theSameInputsGiveTheSameText() {
        let options = NodeScriptOptions(toolsImage: "tools:1", copy: .stream, nodes: .selector("a=b"), keepGoing: true)
        #expect(NodeScript.load(Self.archive, options: options) == NodeScript.load(Self.archive, options: options))
        #expect(NodeScript.clean(Self.archive, options: options) == NodeScript.clean(Self.archive, options: options))
        #expect(NodeScript.load(Self.archive, options: options) != NodeScript.load(Self.hostile, options: options))
    }

    @Test func theScriptEmbedsTheArchivesDigestAndEveryNameOnceQuoted() {
        let script = NodeScript.load(Self.hostile, options: NodeScriptOptions())
        #expect(script.contains("readonly archive_sha256='\(Self.hostile.sha256.encoded)'\n"))
        #expect(script.contains("readonly copy_name='airgap-\(Self.hostile.sha256.encoded.prefix(16)).tar'\n"))
        for name in Self.hostile.images {
            #expect(script.contains("\t\(ShellQuoting.word(name))\n"), "\(name.debugDescription) is one quoted word")
        }
        #expect(script.contains(#"'it'\''s'"#))
    }

    @Test func aNewlineInThePathCannotLeaveTheHeaderComment() {
        let script = NodeScript.load(Self.hostile, options: NodeScriptOptions())
        let header = script.split(separator: "\n").prefix { !$0.hasPrefix("set -euo") }
        #expect(header.dropFirst().allSatisfy { $0.hasPrefix("#") }, "every header line is a comment")
        #expect(!script.split(separator: "\n").contains("rm -rf /tmp/x"))
    }

    @Test func aFullArchivesScriptHasNoDeltaInIt() {
        let script = NodeScript.load(Self.archive, options: NodeScriptOptions())
        for part in ["airgap_node_layers", "delta_bases", "readonly layers", "# delta"] {
            #expect(!script.contains(part), "\(part)")
        }
    }

    @Test func aDeltasScriptChecksEveryLeftOutLayerBeforeItCopies() throws {
        let script = NodeScript.load(Self.delta, options: NodeScriptOptions())
        #expect(script.contains("#   delta     of may.tar and it's $(touch pwned).tar: each node must hold the 2 layers it left out\n"))
        #expect(script.contains(#"readonly delta_bases='may.tar and it'\''s $(touch pwned).tar'"#))
        for layer in Self.delta.delta?.layers ?? [] {
            #expect(script.contains("\t'\(layer)'\n"), "\(layer) is one quoted word")
        }
        #expect(script.contains("airgap_node_layers() {"))
        #expect(script.contains(#"node_program="$(declare -f airgap_node_check airgap_node_layers airgap_node_load airgap_node); airgap_node"#))
        // In load_node: the image check, then the layers, then the copy.
        let node = try #require(script.range(of: "load_node() {")).upperBound
        let body = script[node...]
        let check = try #require(body.range(of: #"run_step "$node" check"#)).lowerBound
        let layers = try #require(body.range(of: #"run_step "$node" layers "${layers[@]}""#)).lowerBound
        let copy = try #require(body.range(of: #"copy_archive "$node" "$copy""#)).lowerBound
        #expect(check < layers && layers < copy)
        #expect(body.contains("it lacks ${result#layers missing } layers this delta relies on; load $delta_bases on it first, then this delta"))
    }

    @Test func theOptionsShowInTheScript() {
        let named = NodeScript.load(
            Self.archive,
            options: NodeScriptOptions(
                toolsImage: "registry.lab:5000/tools:1", copy: .stream, nodes: .named(["node/a", "node/b"]), keepGoing: true))
        #expect(named.contains("readonly debug_options=('--image=registry.lab:5000/tools:1')"))
        #expect(named.contains("readonly chosen_nodes=('node/a' 'node/b')"))
        #expect(named.contains("readonly keep_going=1"))
        #expect(named.contains(#"oc debug -T ${debug_options[@]+"${debug_options[@]}"} "$node""#))
        #expect(!named.contains("scp "))

        let selected = NodeScript.load(Self.archive, options: NodeScriptOptions(nodes: .selector("role=worker")))
        #expect(selected.contains("readonly selector='role=worker'"))
        #expect(selected.contains(#"oc get nodes -o name -l "$selector""#))
        #expect(selected.contains("readonly debug_options=()"))
        #expect(selected.contains("scp -q -o BatchMode=yes"))

        let clean = NodeScript.clean(Self.archive, options: NodeScriptOptions())
        #expect(clean.contains("oc get nodes -o name"))
        #expect(!clean.contains("podman load"))
        #expect(!clean.contains("scp -"))
        #expect(clean.contains("podman rmi -- \"$image\""))
    }
}

extension NodeScriptOptions: CustomTestStringConvertible {
    public var testDescription: String {
        "copy \(copy.rawValue), nodes \(nodes), tools \(toolsImage ?? "default"), keep-going \(keepGoing)"
    }
}
