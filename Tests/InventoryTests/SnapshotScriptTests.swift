import Foundation
import Inventory
import OCI
import Testing

// The collection script, run by bash against a stand-in `oc` that answers from the fixtures.

/// An `oc` that lists `NODES` and, for `oc debug … node/NAME -- …`, prints the node's fixture,
/// logging its arguments; `FAIL_NODE` fails like an unreachable node.
private let fakeOC = #"""
    #!/bin/bash
    echo "$*" >> "$OC_LOG"
    case "$1" in
      get) for n in $NODES; do echo "node/$n"; done ;;
      debug)
        for a in "$@"; do case "$a" in node/*) n="${a#node/}" ;; esac; done
        echo "Starting pod/${n//./}-debug ..." >&2
        if [ "$n" = "$FAIL_NODE" ]; then echo "error: unable to start the debug pod" >&2; exit 1; fi
        cat "$FIXTURES/$n.json"
        echo "Removing debug pod ..." >&2 ;;
    esac
    """#

private func runScript(_ script: SnapshotScript, arguments: String = "", failing: String = "", in directory: String) throws
    -> (status: Int32, log: String, error: String)
{
    try write(fakeOC, to: "\(directory)/bin/oc")
    chmod("\(directory)/bin/oc", 0o755)
    try write(script.text, to: "\(directory)/snapshot.sh")
    for node in ["master-0", "worker-0"] {
        try write(try Testdata.text("crictl/cluster/before/\(node).json"), to: "\(directory)/fixtures/\(node).json")
    }
    try write(crictlJSON([crictlImage("pause", tags: ["registry.k8s.io/pause:3.9"])]), to: "\(directory)/fixtures/w2.example.com.json")
    let result = try runBash(
        "cd '\(directory)' && bash snapshot.sh \(arguments)",
        environment: [
            "PATH": "\(directory)/bin:/usr/bin:/bin", "OC_LOG": "\(directory)/oc.log", "FIXTURES": "\(directory)/fixtures",
            "NODES": "master-0 worker-0 w2.example.com", "FAIL_NODE": failing, "TOOLSIMAGE": "",
        ])
    let log = (try? String(contentsOfFile: "\(directory)/oc.log", encoding: .utf8)) ?? ""
    return (result.status, log, result.error)
}

@Test func collectsOneFilePerNodeThatTheDiffReads() throws {
    try inTemporaryDirectory { directory in
        let image = try ImageReference("registry.example.com/rhel7/support-tools:latest")
        let result = try runScript(SnapshotScript(toolsImage: image, directory: "before"), in: directory)
        #expect(result.status == 0, "\(result.error)")
        let snapshots = try SnapshotLoader.load(["\(directory)/before"])
        #expect(snapshots.map(\.node) == ["master-0", "w2.example.com", "worker-0"])
        #expect(snapshots.map(\.images.count) == [3, 1, 4])
        #expect(
            result.log.contains(
                "debug --image=registry.example.com/rhel7/support-tools:latest node/worker-0 -- chroot /host crictl images -o json"))
        #expect(result.error.contains("worker-0: 4 images"))
        // oc's messages went to the terminal, not into the files.
        #expect(try !String(contentsOfFile: "\(directory)/before/worker-0.json", encoding: .utf8).contains("Starting pod"))
    }
}

@Test func theArgumentChoosesTheDirectoryAndNoImageMeansOcsDefault() throws {
    try inTemporaryDirectory { directory in
        let result = try runScript(SnapshotScript(), arguments: "after", in: directory)
        #expect(result.status == 0, "\(result.error)")
        #expect(try SnapshotLoader.load(["\(directory)/after"]).count == 3)
        #expect(!result.log.contains("--image"))
        #expect(result.log.contains("debug node/master-0 -- chroot /host crictl images -o json"))
    }
}

@Test func aFailedNodeLeavesNoFileAndFailsTheScript() throws {
    try inTemporaryDirectory { directory in
        let result = try runScript(SnapshotScript(directory: "snaps"), failing: "worker-0", in: directory)
        #expect(result.status == 1)
        #expect(result.error.contains("worker-0: collection failed"))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/snaps").sorted()
        #expect(files == ["master-0.json", "w2.example.com.json"])
    }
}

@Test func quotesTheDirectoryForTheShell() {
    let text = SnapshotScript(directory: "it's here").text
    #expect(text.contains(#"DIR='it'\''s here'"#))
    #expect(SnapshotScript().text.contains("DIR='snapshots'"))
    #expect(SnapshotScript().text.contains("TOOLSIMAGE=\"${TOOLSIMAGE:-}\""))
}

@Test func theScriptIsValidBash() throws {
    try inTemporaryDirectory { directory in
        try write(SnapshotScript(toolsImage: reference("registry.example.com/x:1")).text, to: "\(directory)/s.sh")
        let result = try runBash("bash -n '\(directory)/s.sh'")
        #expect(result.status == 0, "\(result.error)")
    }
}
