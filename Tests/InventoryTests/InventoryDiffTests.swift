import Inventory
import OCI
import Testing

// The diff: per node, then the union; what counts as pulled, and what is reported as removed.

private let pause = crictlImage("pause", tags: ["registry.k8s.io/pause:3.9"], pinned: true)
private let platform = crictlImage("platform", digestOnly: ["quay.io/openshift-release-dev/ocp-v4.0-art-dev"])
private let busybox = crictlImage("busybox", tags: ["docker.io/library/busybox:1.29"])
private let agnhost = crictlImage("agnhost", tags: ["registry.k8s.io/e2e-test-images/agnhost:2.43"])
private let httpd = crictlImage("httpd", tags: ["docker.io/library/httpd:2.4.38-alpine"])
private let base = [pause, platform]

private func snapshots(_ nodes: KeyValuePairs<String, [CrictlImage]>) -> [NodeSnapshot] {
    nodes.map { NodeSnapshot(node: $0.key, images: $0.value, origin: "\($0.key).json") }
}

private func names(_ list: [ImageReference]) -> [String] { list.map(\.description) }

private let digestOfBusybox = "sha256:\(hex("manifest-busybox"))"

/// (label, before, after, the union of pulled images, the removed ones)
private let cases: [(String, [NodeSnapshot], [NodeSnapshot], [String], [String])] = [
    (
        "an image pulled on one node but cached on another is a suite image",
        snapshots(["w1": base + [busybox], "w2": base]), snapshots(["w1": base + [busybox], "w2": base + [busybox]]),
        ["docker.io/library/busybox:1.29"], []
    ),
    (
        "images present before on every node stay out",
        snapshots(["w1": base + [busybox], "w2": base + [busybox]]), snapshots(["w1": base + [busybox], "w2": base + [busybox]]),
        [], []
    ),
    (
        "a retag of content already there counts (same id, new name)",
        snapshots(["w1": base + [busybox]]),
        snapshots([
            "w1": base + [
                CrictlImage(id: busybox.id, repoTags: busybox.repoTags + ["quay.io/e2e/busybox:1.29"], repoDigests: busybox.repoDigests)
            ]
        ]),
        ["quay.io/e2e/busybox:1.29"], []
    ),
    (
        "a pull by digest of content already there by tag counts",
        snapshots(["w1": base + [busybox]]),
        snapshots([
            "w1": base + [
                CrictlImage(
                    id: busybox.id, repoTags: busybox.repoTags,
                    repoDigests: busybox.repoDigests + ["quay.io/e2e/busybox@\(digestOfBusybox)"])
            ]
        ]),
        ["quay.io/e2e/busybox@\(digestOfBusybox)"], []
    ),
    (
        "an image pulled by digest only is listed as repo@digest",
        snapshots(["w1": base]),
        snapshots(["w1": base + [crictlImage("e2e-nginx", digestOnly: ["registry.k8s.io/e2e-test-images/nginx"])]]),
        ["registry.k8s.io/e2e-test-images/nginx@sha256:\(hex("manifest-e2e-nginx"))"], []
    ),
    (
        "a tag that moved to new content counts",
        snapshots(["w1": base + [busybox]]),
        snapshots(["w1": base + [crictlImage("busybox-new", tags: ["docker.io/library/busybox:1.29"])]]),
        ["docker.io/library/busybox:1.29"], ["docker.io/library/busybox:1.29"]
    ),
    (
        "an image gone after is reported as removed, not pulled",
        snapshots(["w1": base + [httpd], "w2": base]), snapshots(["w1": base + [agnhost], "w2": base]),
        ["registry.k8s.io/e2e-test-images/agnhost:2.43"], ["docker.io/library/httpd:2.4.38-alpine"]
    ),
    (
        "a removed tag with the content kept is no change",
        snapshots(["w1": base + [busybox]]), snapshots(["w1": base + [CrictlImage(id: busybox.id, repoDigests: busybox.repoDigests)]]),
        [], []
    ),
    (
        "names are compared normalized",
        snapshots(["w1": base + [CrictlImage(id: busybox.id, repoTags: ["busybox:1.29"])]]),
        snapshots([
            "w1": base + [
                CrictlImage(id: busybox.id, repoTags: ["docker.io/library/busybox:1.29", "index.docker.io/library/busybox:1.29"])
            ]
        ]),
        [], []
    ),
    (
        "a node added during the run is compared with every node before",
        snapshots(["w1": base + [busybox]]), snapshots(["w1": base + [busybox], "w9": base + [busybox, agnhost]]),
        ["registry.k8s.io/e2e-test-images/agnhost:2.43"], []
    ),
    (
        "nodes without any change",
        snapshots(["w1": base, "w2": []]), snapshots(["w1": base, "w2": []]),
        [], []
    ),
]

@Test(arguments: cases)
func diffs(_ label: String, _ before: [NodeSnapshot], _ after: [NodeSnapshot], _ pulled: [String], _ removed: [String]) throws {
    let diff = try InventoryDiff.between(before: before, after: after)
    #expect(names(diff.images) == pulled, "\(label)")
    #expect(names(diff.removed) == removed, "\(label)")
    #expect(diff.notes.isEmpty, "\(label)")
}

@Test func perNodeViewOfTheClusterFixtures() throws {
    let before = try SnapshotLoader.load([Testdata.path("crictl/cluster/before")])
    let after = try SnapshotLoader.load([Testdata.path("crictl/cluster/after")])
    let diff = try InventoryDiff.between(before: before, after: after)
    let nginxByDigest = "registry.k8s.io/e2e-test-images/nginx@sha256:" + String(try #require(diff.images.last?.digest?.encoded))
    #expect(
        names(diff.images) == [
            "docker.io/library/busybox:1.29",  // pulled on worker-1, though worker-0 had it cached
            "quay.io/e2e/busybox:1.29",  // a retag on worker-0
            "registry.k8s.io/e2e-test-images/agnhost:2.43",
            nginxByDigest,  // pulled by digest on worker-0
        ])
    #expect(names(diff.removed) == ["docker.io/library/httpd:2.4.38-alpine"])
    #expect(diff.nodes.map(\.node) == ["master-0", "worker-0", "worker-1"])
    #expect(
        diff.nodes.map { names($0.pulled) } == [
            [],
            ["quay.io/e2e/busybox:1.29", "registry.k8s.io/e2e-test-images/agnhost:2.43", nginxByDigest],
            ["docker.io/library/busybox:1.29", "registry.k8s.io/e2e-test-images/agnhost:2.43"],
        ])
    #expect(diff.nodes.map { names($0.removed) } == [[], [], ["docker.io/library/httpd:2.4.38-alpine"]])
    #expect(diff.nodes.allSatisfy { !$0.isNew })
}

@Test func everyWayOfCollectingGivesTheSameDiff() throws {
    func diff(_ before: String, _ after: String) throws -> InventoryDiff {
        try InventoryDiff.between(
            before: SnapshotLoader.load([Testdata.path("crictl/\(before)")]),
            after: SnapshotLoader.load([Testdata.path("crictl/\(after)")]))
    }
    let directories = try diff("cluster/before", "cluster/after")
    let withMessages = try diff("loop/before-with-messages.txt", "loop/after-with-messages.txt")
    let positional = try diff("loop/before.json", "loop/after.json")
    #expect(withMessages == directories)
    #expect(positional.images == directories.images && positional.removed == directories.removed)
    #expect(positional.nodes.map(\.node) == ["#1", "#2", "#3"])
    #expect(positional.nodes.map(\.pulled) == directories.nodes.map(\.pulled))
}

@Test func aNodeMissingAfterIsAnError() {
    let before = snapshots(["w1": base, "w2": base])
    let after = snapshots(["w1": base])
    let expected = InventoryDiffError.nodeMissingAfter(node: "w2", before: "w2.json", afterNodes: ["w1"])
    #expect(throws: expected) { try InventoryDiff.between(before: before, after: after) }
    #expect(
        expected.description == "node w2 has a snapshot before the run (w2.json) but none after: was it removed, or did "
            + "collection fail on it? Collect it again, or leave its before snapshot out (nodes after: w1)")
}

@Test func mixedNamingIsExplainedWhenNodesDoNotMatch() {
    let error = InventoryDiffError.nodeMissingAfter(node: "#1", before: "before.log:1", afterNodes: ["worker-0"])
    #expect(error.description.contains("named by position (#1, #2, …)"))
}

@Test func namesThatAreNotReferencesAndNamelessImagesAreNoted() throws {
    let odd = CrictlImage(id: "sha256:\(hex("odd"))", repoTags: ["Localhost/UPPER:1"], repoDigests: [])
    let nameless = CrictlImage(id: "sha256:\(hex("nameless"))")
    let diff = try InventoryDiff.between(
        before: snapshots(["w1": base, "w2": base]), after: snapshots(["w1": base + [odd, nameless], "w2": base + [nameless]]))
    #expect(diff.images.isEmpty)
    // The bad name is noted where it is read; both images, new and unlisted, are noted once each.
    #expect(diff.notes.count == 3)
    #expect(diff.notes[0].hasPrefix("w1: crictl lists the name \"Localhost/UPPER:1\", which is not a valid image reference"))
    #expect(
        diff.notes.contains(
            "image sha256:\(hex("nameless")), new on w1, w2, has no name that is a valid reference (crictl shows <none>); it cannot be listed"
        ))
    #expect(diff.notes.contains { $0.hasPrefix("image sha256:\(hex("odd")), new on w1,") })
}

/// CRI-O's stand-ins for missing names are known: they name nothing, and need no note.
@Test func criOPlaceholderNamesAreRecognisedQuietly() throws {
    let dangling = CrictlImage(
        id: "sha256:\(hex("dangling"))", repoTags: ["<none>:<none>"], repoDigests: ["<none>@<none>"])
    let byDigest = CrictlImage(
        id: "sha256:\(hex("by-digest"))", repoTags: ["quay.io/e2e/app:<none>"],
        repoDigests: ["quay.io/e2e/app@sha256:<none>", "quay.io/e2e/app@\(digestOfBusybox)"])
    let diff = try InventoryDiff.between(
        before: snapshots(["w1": base]), after: snapshots(["w1": base + [dangling, byDigest]]))
    #expect(names(diff.images) == ["quay.io/e2e/app@\(digestOfBusybox)"])
    // Only the image with no name at all is noted, as any nameless new image is.
    #expect(diff.notes == ["image sha256:\(hex("dangling")), new on w1, has no name that is a valid reference (crictl shows <none>); it cannot be listed"])
}

/// A repoTag without a tag is read as docker reads it, `:latest`, but said: the runtime wrote no tag.
@Test func aRepoTagWithoutATagIsNoted() throws {
    let untagged = CrictlImage(id: "sha256:\(hex("untagged"))", repoTags: ["registry.k8s.io/pause"], repoDigests: [])
    let diff = try InventoryDiff.between(
        before: snapshots(["w1": base, "w2": base]), after: snapshots(["w1": base + [untagged], "w2": base + [untagged]]))
    #expect(names(diff.images) == ["registry.k8s.io/pause:latest"])
    #expect(diff.notes == [
        "w1: crictl lists the tag \"registry.k8s.io/pause\" without a tag; it is read as registry.k8s.io/pause:latest, "
            + "as podman and docker read a name without one"
    ])
}

@Test func theUnionIsSortedAndDistinct() throws {
    let images = (0..<20).map { crictlImage("i\($0)", tags: ["quay.io/e2e/image-\(19 - $0):1"]) }
    let diff = try InventoryDiff.between(
        before: snapshots(["a": [], "b": []]), after: snapshots(["a": images, "b": images.reversed()]))
    #expect(names(diff.images) == names(diff.images).sorted())
    #expect(diff.images.count == 20)
    #expect(diff.imageList.references == diff.images)
}
