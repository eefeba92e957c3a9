import Foundation
import Inventory
import Testing

// Bad snapshots: each error names the file, the line where there is one, and what to do.

private func parse(_ text: String) throws(SnapshotError) -> [NodeSnapshot] {
    try SnapshotLoader.parse(Array(text.utf8), source: "w1.json")
}

@Test(
    arguments: [
        // Not JSON at all.
        ("hello\n", SnapshotError.unexpectedText(source: "w1.json", line: 1, text: "hello", hint: nil)),
        (
            "IMAGE                 TAG   IMAGE ID   SIZE\nbusybox 1.29 abc 1MB\n",
            .unexpectedText(
                source: "w1.json", line: 1, text: "IMAGE                 TAG   IMAGE ID   SIZE",
                hint: "this is crictl's table; run `crictl images -o json`")
        ),
        (
            "\n\ndocker.io/library/busybox:1.29\n",
            .unexpectedText(
                source: "w1.json", line: 3, text: "docker.io/library/busybox:1.29",
                hint: "this looks like a list of image names (`jq -r .images[].repoTags[]` of crictl's output); the "
                    + "diff needs crictl's JSON itself")
        ),
        (
            "[{\"id\": \"sha256:a\"}]",
            .unexpectedText(
                source: "w1.json", line: 1, text: "[{\"id\": \"sha256:a\"}]",
                hint: "this JSON is a list; crictl writes an object, {\"images\": […]}")
        ),
        // JSON with a syntax error: the line of the error.
        (
            "{\n  \"images\": [\n    {\"id\": \"sha256:a\",}\n  ]\n}",
            .malformed(source: "w1.json", line: 3, reason: "a trailing \",\" before \"}\"")
        ),
        (
            "{\n  \"images\": [\n    {\"id\": \"sha256:a\"}\n    {\"id\": \"b\"}\n  ]\n}",
            .malformed(source: "w1.json", line: 4, reason: "expected \",\" or \"]\", found an object")
        ),
        (
            "{\"images\": [{\"id\": \"sha256:a\n\"}]}",
            .malformed(source: "w1.json", line: 1, reason: "a line break or control character inside a string (missing closing quote?)")
        ),
        ("{\"images\": [{\"id\": tru}]}", .malformed(source: "w1.json", line: 1, reason: "\"id\" must be a string, found a boolean")),
        ("{\"images\": [{\"id\": \"a\", \"x\": tru}]}", .malformed(source: "w1.json", line: 1, reason: "unexpected a boolean")),
        // Truncated: the last line, and where the output started.
        (
            "Starting pod/w1-debug ...\n{\n  \"images\": [\n    {\"id\": \"sha256:a\", \"repoTags\": [\"busy",
            .malformed(
                source: "w1.json", line: 4,
                reason: "the JSON output that starts on line 2 ends early: the file is truncated (was the collection interrupted?)")
        ),
        (
            "{\"images\": [{\"id\": \"sha256:a\", \"pinned\": fal",
            .malformed(
                source: "w1.json", line: 1,
                reason: "the JSON output that starts on line 1 ends early: the file is truncated (was the collection interrupted?)")
        ),
        // Wrong types.
        (
            "{\"images\": {\"id\": \"sha256:a\"}}",
            .malformed(source: "w1.json", line: 1, reason: "\"images\" must be a list, found an object")
        ),
        ("{\"images\": [\"sha256:a\"]}", .malformed(source: "w1.json", line: 1, reason: "each image must be an object, found a string")),
        ("{\"images\": [{\"id\": 7}]}", .malformed(source: "w1.json", line: 1, reason: "\"id\" must be a string, found a number")),
        (
            "{\"images\": [\n{\"id\": \"a\",\n \"repoTags\": \"busybox\"}]}",
            .malformed(source: "w1.json", line: 3, reason: "\"repoTags\" must be a list of strings, found a string")
        ),
        (
            "{\"images\": [{\"id\": \"a\", \"repoDigests\": [1]}]}",
            .malformed(source: "w1.json", line: 1, reason: "\"repoDigests\" must hold strings, found a number")
        ),
        (
            "{\"images\": [{\"id\": \"a\", \"size\": \"big\"}]}",
            .malformed(source: "w1.json", line: 1, reason: "\"size\" must be a whole number of bytes, found \"big\"")
        ),
        (
            "{\"images\": [{\"id\": \"a\", \"size\": -1}]}",
            .malformed(source: "w1.json", line: 1, reason: "\"size\" must be a whole number of bytes, found \"-1\"")
        ),
        (
            "{\"images\": [{\"id\": \"a\", \"pinned\": \"yes\"}]}",
            .malformed(source: "w1.json", line: 1, reason: "\"pinned\" must be true or false, found a string")
        ),
        ("{\"images\": [{\"repoTags\": []}]}", .malformed(source: "w1.json", line: 1, reason: "an image without an \"id\"")),
        (
            "\n{\"items\": []}",
            .malformed(source: "w1.json", line: 2, reason: "no \"images\" field: this JSON is not the output of `crictl images -o json`")
        ),
        // YAML.
        (
            "images:\n- id: sha256:a\n  repoTags: busybox\n",
            .malformed(source: "w1.json", line: 3, reason: "\"repoTags\" must be a list of strings")
        ),
        ("images:\n- id: [a]\n", .malformed(source: "w1.json", line: 2, reason: "\"id\" must be a string")),
        ("images:\n- id: a\n  size: lots\n", .malformed(source: "w1.json", line: 3, reason: "\"size\" must be a whole number of bytes")),
        (
            "images:\n- id: a\n   bad: [\n",
            .malformed(source: "w1.json", line: 3, reason: "not valid YAML: mapping values are not allowed in this context")
        ),
        // oc failed on a node.
        (
            "Starting pod/w1-debug ...\nerror: unable to create the debug pod \"w1-debug\"\n",
            .collectionFailed(source: "w1.json", line: 2, text: "error: unable to create the debug pod \"w1-debug\"")
        ),
        ("   \n\n", .empty(source: "w1.json")),
        ("Starting pod/w1-debug ...\nRemoving debug pod ...\n", .empty(source: "w1.json")),
    ] as [(String, SnapshotError)])
func refusesBadSnapshots(_ text: String, _ expected: SnapshotError) {
    #expect(throws: expected) { try parse(text) }
}

@Test func duplicatePodNamesInOneFileAreRefused() {
    let text = "Starting pod/w1-debug ...\n{\"images\":[]}\nStarting pod/w1-debug ...\n{\"images\":[]}\n"
    #expect(throws: SnapshotError.duplicateNode(node: "w1", first: "w1.json:2", second: "w1.json:4")) { try parse(text) }
}

@Test func fileErrorsNameThePath() throws {
    try inTemporaryDirectory { directory in
        #expect(throws: SnapshotError.unreadable(path: "\(directory)/absent", reason: "No such file or directory")) {
            try SnapshotLoader.load(["\(directory)/absent"])
        }
        #expect(throws: SnapshotError.emptyDirectory(path: directory)) { try SnapshotLoader.load([directory]) }

        try write("", to: "\(directory)/w1.json")
        #expect(throws: SnapshotError.empty(source: "\(directory)/w1.json")) { try SnapshotLoader.load([directory]) }

        try write("{\"images\":[]}\n{\"images\":[]}\n", to: "\(directory)/w1.json")
        #expect(throws: SnapshotError.severalOutputsInNodeFile(source: "\(directory)/w1.json", count: 2)) {
            try SnapshotLoader.load([directory])
        }

        try write("{\"images\":[]}", to: "\(directory)/w1.json")
        try write("{\"images\":[]}", to: "\(directory)/other/w1.yaml")
        #expect(throws: SnapshotError.duplicateNode(node: "w1", first: "\(directory)/w1.json", second: "\(directory)/other/w1.yaml")) {
            try SnapshotLoader.load([directory, "\(directory)/other"])
        }
    }
}

@Test(
    arguments: [
        (SnapshotError.malformed(source: "a/w1.json", line: 7, reason: "x"), "a/w1.json:7: x"),
        (
            .unexpectedText(source: "w.json", line: 2, text: "hello", hint: "h"),
            "w.json:2: unexpected \"hello\": expected the output of `crictl images -o json` (or -o yaml); h"
        ),
        (
            .collectionFailed(source: "w.json", line: 3, text: "error: x"),
            "w.json:3: oc reported a failure, so a node's output is missing: error: x; collect that node again"
        ),
        (.empty(source: "w.json"), "w.json: no crictl output (empty file): did oc debug fail on this node? Collect it again"),
        (.unreadable(path: "b", reason: "Permission denied"), "cannot read snapshot b: Permission denied"),
    ] as [(SnapshotError, String)])
func snapshotErrorMessages(_ error: SnapshotError, _ message: String) {
    #expect(error.description == message)
}

@Test func longUnexpectedLinesAreShortened() {
    let error = SnapshotError.unexpectedText(source: "w", line: 1, text: String(repeating: "x", count: 200), hint: nil)
    #expect(error.description.contains(String(repeating: "x", count: 77) + "..."))
    #expect(!error.description.contains(String(repeating: "x", count: 78)))
}
