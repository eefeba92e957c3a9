import Foundation
import Inventory
import Testing

// crictl images output in every shape crictl has written it, and the files users collect it in.

@Test(arguments: [
    "crictl-1.13-gogo.json",  // size a string, uid null or {"value"}, no spec, no pinned
    "crictl-1.26.json",  // spec null, pinned, repoTags [] for a pull by digest
    "crictl-1.31-protojson.json",  // protojson: unset fields (uid, spec, empty repoTags) left out
    "crictl-1.29.yaml",  // -o yaml: the same data, keys sorted
])
func readsEveryCrictlVersion(_ file: String) throws {
    let snapshots = try SnapshotLoader.load([Testdata.path("crictl/versions/\(file)")])
    #expect(snapshots.map(\.node) == ["#1"])
    let images = try #require(snapshots.first).images
    #expect(images.count == 3)
    #expect(images.map(\.repoTags) == [["registry.k8s.io/pause:3.9"], ["docker.io/library/busybox:1.29"], []])
    #expect(images[2].repoDigests.count == 1 && images[2].repoDigests[0].hasPrefix("registry.k8s.io/e2e-test-images/nginx@sha256:"))
    #expect(images.map(\.size) == [321_520, 1_375_000, 7_000_000])
    #expect(images.allSatisfy { $0.id.hasPrefix("sha256:") && $0.id.count == 71 })
    if file.contains("gogo") {
        #expect(images.allSatisfy { $0.pinned == nil })
    } else {
        #expect(images[0].pinned == true)
    }
}

@Test func everyVersionReadsToTheSameImages() throws {
    let files = ["crictl-1.13-gogo.json", "crictl-1.26.json", "crictl-1.31-protojson.json", "crictl-1.29.yaml"]
    let all = try files.map { try SnapshotLoader.load([Testdata.path("crictl/versions/\($0)")])[0].images }
    // pinned is absent on old versions; the rest is the same data.
    let withoutPinned = all.map {
        $0.map { image in CrictlImage(id: image.id, repoTags: image.repoTags, repoDigests: image.repoDigests, size: image.size) }
    }
    #expect(Set(withoutPinned).count == 1)
}

private func parse(_ text: String, source: String = "snap.json") throws -> [NodeSnapshot] {
    try SnapshotLoader.parse(Array(text.utf8), source: source)
}

@Test(
    arguments: [
        ("empty list", #"{"images": []}"#, 0),
        ("null list", #"{"images": null}"#, 0),
        ("compact", #"{"images":[{"id":"sha256:a","repoTags":["busybox:1.29"],"repoDigests":[],"size":"5"}]}"#, 1),
        ("size as a number", #"{"images":[{"id":"sha256:a","repoTags":null,"repoDigests":null,"size":5}]}"#, 1),
        (
            "uid as an object",
            #"{"images":[{"id":"sha256:a","uid":{"value":"65535"},"username":"","spec":{"image":"x","annotations":{}}}]}"#, 1
        ),
        (
            "unknown fields of every kind",
            #"{"kind":"x","images":[{"id":"sha256:a","new":[1,2.5e3,-1,true,false,null,{"a":[]}]}],"extra":{}}"#, 1
        ),
        (
            "escapes in strings",
            #"{"images":[{"id":"sha256:\u0061","repoTags":["docker.io\/library\/busybox:1.29"],"username":"\"\\\n\t"}]}"#, 1
        ),
        ("escaped field name", #"{"\u0069mages":[{"\u0069d":"sha256:a"}]}"#, 1),
        ("windows line endings", "{\r\n  \"images\": [\r\n    {\"id\": \"sha256:a\"}\r\n  ]\r\n}\r\n", 1),
        ("byte-order mark", "\u{FEFF}{\"images\":[{\"id\":\"sha256:a\"}]}", 1),
        ("yaml empty list", "images: []\n", 0),
        ("yaml flow style", "images: [{id: 'sha256:a', repoTags: [busybox], size: 5, pinned: false}]\n", 1),
    ] as [(String, String, Int)])
func readsJSONAndYAMLShapes(_ label: String, _ text: String, _ count: Int) throws {
    let snapshots = try parse(text)
    #expect(snapshots.count == 1, "\(label)")
    #expect(snapshots.first?.images.count == count, "\(label)")
}

@Test func decodesEscapes() throws {
    let text = #"{"images":[{"id":"sha256:\u0061\ud83d\ude00","repoTags":["docker.io\/library\/busybox:1.29"]}]}"#
    let image = try #require(try parse(text).first?.images.first)
    #expect(image.id == "sha256:a😀")
    #expect(image.repoTags == ["docker.io/library/busybox:1.29"])
}

@Test func concatenatedLoopOutputIsNamedByPosition() throws {
    let path = Testdata.path("crictl/loop/before.json")
    let snapshots = try SnapshotLoader.load([path])
    #expect(snapshots.map(\.node) == ["#1", "#2", "#3"])
    #expect(snapshots.map(\.images.count) == [3, 4, 5])
    // Each output is located by its first line in the file.
    #expect(snapshots[0].origin == "\(path):1")
    #expect(snapshots[1].origin.hasPrefix("\(path):"))
}

@Test func ocDebugMessagesAreSkippedAndNameTheNodes() throws {
    let snapshots = try SnapshotLoader.load([Testdata.path("crictl/loop/before-with-messages.txt")])
    #expect(snapshots.map(\.node) == ["master-0", "worker-0", "worker-1"])
    #expect(snapshots.map(\.images.count) == [3, 4, 5])
}

@Test func everyKnownOcMessageIsSkipped() throws {
    let image = #"{"images":[{"id":"sha256:a"}]}"#
    let text = """
        Temporary namespace openshift-debug-x7k2p is created for debugging node...
        Creating debug namespace/openshift-debug-node-abc12 ...
        Starting pod/ip-10-0-1-5us-east-2computeinternal-debug-q8z4k ...
        To use host binaries, run `chroot /host`
        Warning: would violate PodSecurity "restricted:latest": host namespaces
        Pod IP: 10.0.1.5
        If you don't see a command prompt, try pressing enter.
        \(image)

        Removing debug pod ...
        Temporary namespace openshift-debug-x7k2p was removed.
        Starting pod/worker-1examplecom-debug ...
        images:
        - id: sha256:b
        Removing debug pod ...
        Removing debug namespace/openshift-debug-node-abc12 ...
        """
    let snapshots = try parse(text)
    #expect(snapshots.map(\.node) == ["ip-10-0-1-5us-east-2computeinternal", "worker-1examplecom"])
    #expect(snapshots.map { $0.images.map(\.id) } == [["sha256:a"], ["sha256:b"]])
    #expect(snapshots.map(\.origin) == ["snap.json:8", "snap.json:13"])
}

@Test func concatenatedYAMLOutputsSplitAtEachImagesKey() throws {
    let text = "images:\n- id: sha256:a\n  repoTags:\n  - busybox:1.29\nimages:\n- id: sha256:b\n---\nimages: []\n"
    let snapshots = try parse(text, source: "all.yaml")
    #expect(snapshots.map { $0.images.map(\.id) } == [["sha256:a"], ["sha256:b"], []])
    #expect(snapshots.map(\.node) == ["#1", "#2", "#3"])
}

@Test(arguments: [
    ("worker-0-debug", "worker-0"),
    ("worker-0-debug-x7k2p", "worker-0"),
    ("ip-10-0-1-5ec2internal-debug", "ip-10-0-1-5ec2internal"),
    ("debug-node-debug", "debug-node"),
    ("my-pod", "my-pod"),
    ("worker-0-debugger", "worker-0-debugger"),
])
func podNamesNameTheirNodes(_ pod: String, _ node: String) throws {
    let snapshots = try parse("Starting pod/\(pod) ...\n{\"images\":[]}\n")
    #expect(snapshots.map(\.node) == [node])
}

@Test func directoryFilesAreNodesNamedByFile() throws {
    let snapshots = try SnapshotLoader.load([Testdata.path("crictl/cluster/before")])
    #expect(snapshots.map(\.node) == ["master-0", "worker-0", "worker-1"])
    #expect(snapshots.map(\.images.count) == [3, 4, 5])
    #expect(snapshots[2].origin.hasSuffix("cluster/before/worker-1.yaml"))
}

@Test(arguments: [
    ("before/worker-0.json", "worker-0"),
    ("worker-0.example.com.json", "worker-0.example.com"),
    ("worker-0.example.com", "worker-0.example.com"),  // only known extensions are dropped
    ("node.YAML", "node"),
    ("node", "node"),
    (".hidden", ".hidden"),
    ("a/b/node.log", "node"),
])
func fileNamesNameNodes(_ path: String, _ node: String) {
    #expect(SnapshotLoader.nodeName(forFile: path) == node)
}

@Test func severalFilesGivenTogetherAreOneNodeEach() throws {
    try inTemporaryDirectory { directory in
        try write(#"{"images":[{"id":"sha256:a"}]}"#, to: "\(directory)/w1.json")
        try write(#"{"images":[]}"#, to: "\(directory)/w2.json")
        try write("garbage", to: "\(directory)/.w3.json.partial")
        let files = try SnapshotLoader.load(["\(directory)/w1.json", "\(directory)/w2.json"])
        #expect(files.map(\.node) == ["w1", "w2"])
        // In a directory, the hidden file is an unfinished write and is skipped.
        #expect(try SnapshotLoader.load([directory]).map(\.node) == ["w1", "w2"])
    }
}
