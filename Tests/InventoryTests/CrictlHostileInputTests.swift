import Foundation
import Inventory
import Testing

// Snapshots are files users collect from nodes and pass around: whatever is in them, the diff
// must return images or a SnapshotError naming the file, never trap or run out of stack.
// (Wrong types of each field, with their messages, are in SnapshotErrorTests.)

private func parse(_ text: String) throws(SnapshotError) -> [NodeSnapshot] {
    try SnapshotLoader.parse(Array(text.utf8), source: "w1.json")
}

private let depth = 100_000

/// The crictl-snapshot fuzz target's committed inputs (seeds, and any crash kept after a fix).
private let fuzzInputs: [String] = {
    let directory = Testdata.path("fuzz/crictl-snapshot")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.sorted().map { "fuzz/crictl-snapshot/\($0)" }
}()

@Test func theCrictlFuzzCorpusIsThere() {
    #expect(fuzzInputs.count >= 3, "testdata/fuzz/crictl-snapshot should hold the fuzz target's seeds")
}

@Test("crictl fuzz inputs parse or throw, and every prefix does too", arguments: fuzzInputs)
func replaysTheFuzzCorpus(_ file: String) throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Testdata.path(file))))
    for end in stride(from: 0, through: bytes.count, by: 7) {
        do {
            _ = try SnapshotLoader.parse(Array(bytes.prefix(end)), source: file)
        } catch {
            #expect(error.description.hasPrefix(file), "\(error)")
        }
    }
}

@Test(
    arguments: [
        // nulls where crictl writes values
        (#"{"images": [{"id": null}]}"#, "\"id\" must be a string, found null"),
        (#"{"images": [null]}"#, "each image must be an object, found null"),
        (#"{"images": [{"id": "a", "repoTags": [null]}]}"#, "\"repoTags\" must hold strings, found null"),
        (#"{"images": [{"id": "a", "repoDigests": [null, "x"]}]}"#, "\"repoDigests\" must hold strings, found null"),
        // `images` of every wrong type
        (#"{"images": 7}"#, "\"images\" must be a list, found a number"),
        (#"{"images": "busybox"}"#, "\"images\" must be a list, found a string"),
        (#"{"images": true}"#, "\"images\" must be a list, found a boolean"),
        // numbers where strings go, and numbers out of range
        (#"{"images": [{"id": "a", "repoTags": [1.5]}]}"#, "\"repoTags\" must hold strings, found a number"),
        (#"{"images": [{"id": "a", "size": "18446744073709551616"}]}"#, "\"size\" must be a whole number of bytes"),
        (#"{"images": [{"id": "a", "size": 1e400}]}"#, "\"size\" must be a whole number of bytes"),
        (#"{"images": [{"id": "a", "size": {"value": "1"}}]}"#, "\"size\" must be a number of bytes"),
        // nesting: refused at a fixed depth, in fields the reader skips and in those it reads
        (#"{"images": [], "x": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}", "nested too deeply"),
        (#"{"images": [{"id": "a", "uid": "# + String(repeating: #"{"v":"#, count: depth) + "1" + String(repeating: "}", count: depth) + "}]}", "nested too deeply"),
        (#"{"images": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}", "each image must be an object"),
        (String(repeating: "[", count: depth) + String(repeating: "]", count: depth), "crictl writes an object"),
        (#"{"images": [{"id": "a", "x": "# + String(repeating: "[", count: depth), "nested too deeply"),
    ] as [(String, String)])
func refusesHostileJSON(_ text: String, _ message: String) {
    let error = #expect(throws: SnapshotError.self) { try parse(text) }
    #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    #expect(error?.description.hasPrefix("w1.json") == true)
}

@Test(
    arguments: [
        "images:\n- id: a\n  uid: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n",
        "images:\n- id: a\n  uid: " + String(repeating: "- ", count: depth) + "x\n",
        "images:\n- id: a\n  uid:\n" + (1..<300).map { String(repeating: " ", count: $0 + 2) + "- \n" }.joined(),
        // Closing brackets inside quotes cannot hide real openers.
        "images:\n- id: a\n  uid: [" + String(repeating: #""]", ["#, count: depth) + "\n",
    ])
func deeplyNestedYAMLIsRefusedBeforeYamsRecurses(_ yaml: String) {
    // Yams composes nodes recursively: without the bound these overflow the stack.
    let error = #expect(throws: SnapshotError.self) { try parse(yaml) }
    #expect(error?.description.contains("YAML nested too deeply") == true, "\(String(describing: error))")
}

@Test func crictlYAMLWithEmptyFlowListsIsNotMistakenForNesting() throws {
    let image = "- id: sha256:a\n  repoDigests: []\n  repoTags: []\n  size: \"1\"\n  spec: null\n  uid: {}\n  username: \"\"\n"
    let snapshots = try parse("images:\n" + String(repeating: image, count: 1000))
    #expect(snapshots.first?.images.count == 1000)
}

@Test func aHugeSnapshotIsReadWhole() throws {
    // 20,000 images with 1 KB names: big (25 MB) but well-formed, so every image is kept.
    let name = String(repeating: "n", count: 1000)
    let image = #"{"id":"sha256:ID","repoTags":["registry.example.com/\#(name):1"],"repoDigests":null,"size":"1","uid":null,"pinned":false}"#
    let count = 20_000
    let text = #"{"images":["# + (0..<count).map { image.replacingOccurrences(of: "ID", with: String($0)) }.joined(separator: ",") + "]}"
    let snapshots = try parse(text)
    #expect(snapshots.first?.images.count == count)
}

@Test func aHugeStringIsReadNotTruncated() throws {
    let id = String(repeating: "x", count: 10 << 20)
    let snapshots = try parse(#"{"images":[{"id":"\#(id)"}]}"#)
    #expect(snapshots.first?.images.first?.id.count == id.count)
}

/// The issue's shape, small: one anchored list of N tags, used by N images, costs N² strings.
private func aliasedImages(_ count: Int) -> String {
    "images:\n- id: sha256:0\n  repoTags: &tags [" + (0..<count).map { "registry.example.com/i:\($0)" }.joined(separator: ", ") + "]\n"
        + (1..<count).map { "- id: sha256:\($0)\n  repoTags: *tags\n" }.joined()
}

/// Each level lists the one before ten times: 10^levels strings from a few hundred bytes.
private func billionLaughs(levels: Int) -> String {
    var text = "images:\n- id: sha256:a\n  l0: &l0 [\"registry.example.com/lol:1\"" + String(repeating: ", \"registry.example.com/lol:1\"", count: 9) + "]\n"
    for level in 1...levels {
        text += "  l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
    }
    return text + "  repoTags: *l\(levels)\n"
}

private let aliasedSnapshots: [String: (yaml: String, anchorLine: Int)] = [
    "300 images sharing 300 tags": (aliasedImages(300), 3),
    "an id used as a tag": ("images:\n- id: &id sha256:a\n  repoTags: [*id]\n", 2),
    "an image listed twice": ("images:\n- {id: sha256:a}\n- &base {id: sha256:b}\n- *base\n", 3),
]

@Test(arguments: aliasedSnapshots.keys.sorted())
func yamlAliasesAreRefusedNamingTheFileAndTheAnchor(_ shape: String) {
    let (yaml, line) = aliasedSnapshots[shape]!
    // Before: read as written, each alias expanded in full (300 images × 300 tags; the
    // issue's 613 KB file of this shape took 3.9 GB).
    let error = #expect(throws: SnapshotError.self) { try parse(yaml) }
    #expect(error?.description.hasPrefix("w1.json:\(line): a YAML alias (*name) repeats the node anchored here") == true, "\(String(describing: error))")
    #expect(error?.description.contains("crictl never writes them") == true)
}

@Test func aBillionLaughsSnapshotIsRefusedBeforeAnythingExpands() {
    // 10^9 tags from 700 bytes. The check must not walk what the aliases expand to: it visits each
    // node of the text at most once, so this is over in milliseconds. (Before: refused only
    // because repoTags held lists, after Yams composed it.)
    let yaml = billionLaughs(levels: 9)
    #expect(yaml.utf8.count < 1000)
    let error = #expect(throws: SnapshotError.self) { try parse(yaml) }
    #expect(error?.description.contains("a YAML alias (*name) repeats the node anchored here") == true, "\(String(describing: error))")
}

@Test(
    arguments: [
        // Values crictl leaves empty, and empty flow collections, everywhere.
        "images:\n- id: sha256:a\n  repoTags:\n  repoDigests:\n  spec:\n  uid:\n- id: sha256:b\n  repoTags: []\n  uid: {}\n",
        // Flow and block collections whose first element starts where they do.
        "images:\n- id: sha256:a\n  uid: [a: b, [c], {d: e}, {f: [g]}]\n  x: {[a]: b, {c: d}: e}\n",
        "images:\n- id: sha256:a\n  x:\n  - - - a\n    - b\n  y:\n    ? [k]\n    : v\n    ? - k\n    : - v\n",
        // Equal values are not aliases.
        "images:\n- id: sha256:a\n  repoTags: [x:1, x:1]\n- id: sha256:a\n  repoTags: [x:1, x:1]\n",
    ])
func legalYAMLIsNotMistakenForAliases(_ yaml: String) throws {
    #expect(try parse(yaml).first?.images.isEmpty == false)
}
