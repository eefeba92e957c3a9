import Foundation
import Inventory
import OCI
import Testing
import Yams

// Every output form, parsed back: list and bash by the list parser, bash by bash itself, json and
// yaml by their decoders, mapping line by line.

private func clusterDiff() throws -> InventoryDiff {
    try InventoryDiff.between(
        before: SnapshotLoader.load([Testdata.path("crictl/cluster/before")]),
        after: SnapshotLoader.load([Testdata.path("crictl/cluster/after")]))
}

@Test(arguments: [InventoryFormat.list, .bash])
func listAndBashParseBackToTheUnion(_ format: InventoryFormat) throws {
    let diff = try clusterDiff()
    let text = try diff.rendered(as: format)
    #expect(try ImageList.parse(text, source: "out") == diff.imageList)
}

@Test func listIsOneReferencePerLineSorted() throws {
    let text = try clusterDiff().rendered(as: .list)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines == lines.sorted())
    #expect(lines.first == "docker.io/library/busybox:1.29")
    #expect(text.hasSuffix("\n"))
}

@Test func bashRunsInBashAndHoldsTheImages() throws {
    let diff = try clusterDiff()
    let script = try diff.rendered(as: .bash) + #"printf '%s\n' "${IMAGES[@]}""#
    let result = try runBash(script)
    #expect(result.status == 0, "\(result.error)")
    #expect(result.output == diff.images.map { "\($0)\n" }.joined())
}

@Test func perNodeBashDefinesOneArrayPerNode() throws {
    let diff = try clusterDiff()
    let script =
        try diff.rendered(as: .bash, perNode: true) + """
            printf 'master-0 %s\\n' "${#IMAGES_MASTER_0[@]}"
            printf 'w0 %s\\n' "${IMAGES_WORKER_0[@]}"
            printf 'w1 %s\\n' "${IMAGES_WORKER_1[@]}"
            """
    let result = try runBash(script)
    #expect(result.status == 0, "\(result.error)")
    let expected =
        ["master-0 0"] + diff.nodes[1].pulled.map { "w0 \($0)" } + diff.nodes[2].pulled.map { "w1 \($0)" }
    #expect(result.output.split(separator: "\n").map(String.init) == expected)
    // The per-node form is still a list `bundle -f` reads: the union of the arrays.
    #expect(try ImageList.parse(try diff.rendered(as: .bash, perNode: true), source: "x").sorted == diff.imageList)
}

@Test func perNodeListMarksNodesAndRemovedImages() throws {
    let text = try clusterDiff().rendered(as: .list, perNode: true)
    #expect(text.hasPrefix("# master-0: 0 pulled\n\n# worker-0: 3 pulled\nquay.io/e2e/busybox:1.29\n"))
    #expect(text.contains("# worker-1: 2 pulled, 1 removed\ndocker.io/library/busybox:1.29\n"))
    #expect(text.hasSuffix("# removed: docker.io/library/httpd:2.4.38-alpine\n"))
}

@Test(arguments: [false, true])
func jsonDecodesBack(_ perNode: Bool) throws {
    let diff = try clusterDiff()
    let text = try diff.rendered(as: .json, perNode: perNode)
    let document = try JSONDecoder().decode(InventoryDiffDocument.self, from: Data(text.utf8))
    #expect(document == InventoryDiffDocument(diff, perNode: perNode))
    #expect(document.images == diff.images)
    #expect(document.removed == diff.removed)
    #expect(document.nodes == (perNode ? diff.nodes : nil))
    #expect(text.contains("\"docker.io/library/busybox:1.29\""))  // slashes unescaped
    if perNode { #expect(text.contains("\"new\" : false")) }
}

@Test(arguments: [false, true])
func yamlDecodesBack(_ perNode: Bool) throws {
    let diff = try clusterDiff()
    let text = try diff.rendered(as: .yaml, perNode: perNode)
    let document = try YAMLDecoder().decode(InventoryDiffDocument.self, from: text)
    #expect(document == InventoryDiffDocument(diff, perNode: perNode))
    #expect(text.hasPrefix("images:\n- docker.io/library/busybox:1.29\n"))
}

@Test func mappingLinesSplitBackIntoSourceAndDestination() throws {
    let diff = try clusterDiff()
    let destination = try MirrorDestination("registry.example.com:5000/mirror")
    let text = try diff.rendered(as: .mapping, destination: destination)
    let pairs = text.split(separator: "\n").map { $0.split(separator: "=").map(String.init) }
    #expect(pairs.allSatisfy { $0.count == 2 })
    #expect(try pairs.map { try ImageReference($0[0]) } == diff.images)
    #expect(pairs[0] == ["docker.io/library/busybox:1.29", "registry.example.com:5000/mirror/library/busybox:1.29"])
    // Pinned by digest only: pushed by digest, without a tag.
    #expect(pairs[3][1] == "registry.example.com:5000/mirror/e2e-test-images/nginx")
    #expect(pairs.allSatisfy { (try? ImageReference($0[1])) != nil })
}

@Test func mappingNeedsADestinationAndHasNoPerNodeForm() throws {
    let diff = try clusterDiff()
    #expect(throws: InventoryOutputError.mappingNeedsDestination) { try diff.rendered(as: .mapping) }
    #expect(throws: InventoryOutputError.perNodeMapping) {
        try diff.rendered(as: .mapping, perNode: true, destination: MirrorDestination("registry.example.com"))
    }
}

@Test func anEmptyDiffRendersEmptyForms() throws {
    let diff = InventoryDiff(images: [], removed: [], nodes: [])
    #expect(try diff.rendered(as: .list) == "")
    #expect(try diff.rendered(as: .bash) == "export IMAGES=(\n      )\n")
    #expect(try diff.rendered(as: .json) == "{\n  \"images\" : [\n\n  ],\n  \"removed\" : [\n\n  ]\n}\n")
}

@Test(arguments: [
    ("worker-0", "IMAGES_WORKER_0"),
    ("ip-10-0-1-5.ec2.internal", "IMAGES_IP_10_0_1_5_EC2_INTERNAL"),
    ("#3", "IMAGES__3"),
])
func bashVariableNames(_ node: String, _ name: String) throws {
    let diff = InventoryDiff(images: [], removed: [], nodes: [NodeChange(node: node, pulled: references("busybox:1.29"), removed: [])])
    let text = try diff.rendered(as: .bash, perNode: true)
    #expect(text.contains("export \(name)=(\n"))
    let result = try runBash(text + "echo \"${\(name)[0]}\"")
    #expect(result.output == "docker.io/library/busybox:1.29\n")
}

@Test func sameVariableNameTwiceGetsASuffix() throws {
    let diff = InventoryDiff(
        images: [], removed: [],
        nodes: [NodeChange(node: "w-1", pulled: [], removed: []), NodeChange(node: "w_1", pulled: [], removed: [])])
    let text = try diff.rendered(as: .bash, perNode: true)
    #expect(text.contains("export IMAGES_W_1=(") && text.contains("export IMAGES_W_1_2=("))
}
