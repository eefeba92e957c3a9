import Foundation
import OCI
import Testing

@testable import Registry

/// An archive whose one layer is stored as a GNU sparse entry, through the binary: before, `verify`
/// said OK (it reads the content libarchive expands) and `mirror --from` then sent the stored bytes
/// (the layer without its hole) and failed midway, after pushing the image's other blobs. Both now
/// refuse the archive, and nothing reaches the registry.
@Suite struct SparseArchiveTests {
    @Test func verifyAndMirrorFromRefuseASparseEntryAndPushNothing() async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("sparse")
        // 1 MiB that is mostly zeros: a file GNU tar --sparse stores with a hole.
        var holey = Data(count: 1 << 20)
        holey.replaceSubrange(0..<4096, with: TestRegistry.randomData(4096))
        holey.replaceSubrange((holey.count - 4096)..<holey.count, with: TestRegistry.randomData(4096))
        let image = try await registry.pushImage(repository: repository, tag: "v1", layers: [TestRegistry.randomData(3000), holey])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-sparse-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/tree", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let bundled = try AirgapBinary.run(
            ["bundle", image.reference.description, "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", directory + "/images.tar"])
        try #require(bundled.status == 0, "\(bundled.stderr)")
        // The same archive again, with the holey layer stored sparse: extracted, the layer's zero
        // blocks turned into a hole, and written by GNU tar with --sparse.
        try OracleProcess.run("tar", ["-xf", directory + "/images.tar", "-C", directory + "/tree"])
        let layer = directory + "/tree/" + "blobs/sha256/\(image.layers[1].digest.encoded)"
        try OracleProcess.run("cp", ["--sparse=always", layer, directory + "/holey"])
        try OracleProcess.run("mv", [directory + "/holey", layer])
        try OracleProcess.run("tar", ["--sparse", "--format=gnu", "-cf", directory + "/sparse.tar", "-C", directory + "/tree", "oci-layout", "index.json", "manifest.json", "blobs"])
        let entry = "blobs/sha256/\(image.layers[1].digest.encoded)"

        let verified = try AirgapBinary.run(["verify", directory + "/sparse.tar"])
        #expect(verified.status == 1, "before: exit 0 and OK. \(verified.stdout)")
        #expect(verified.stderr.contains("refusing entry \"\(entry)\": it is a sparse file"), "\(verified.stderr)")

        let prefix = "sparse-\(UUID().uuidString.lowercased().prefix(8))"
        let mirrored = try AirgapBinary.run(
            ["mirror", "--from", directory + "/sparse.tar", "--to", "\(registry.host)/\(prefix)", "--tls-verify=false", "-q", "--cache", directory + "/cache"])
        #expect(mirrored.status == 1)
        #expect(mirrored.stderr.contains("refusing entry \"\(entry)\": it is a sparse file"), "\(mirrored.stderr)")
        #expect(try registry.accessLog(containing: "/v2/\(prefix)/").isEmpty, "the destination heard nothing")

        // The same archive without the hole is fine: the refusal is about how it is stored.
        let plain = try AirgapBinary.run(["verify", directory + "/images.tar"])
        #expect(plain.status == 0, "\(plain.stdout)\(plain.stderr)")
    }
}
