import Archive
import Foundation
import OCI
import Testing

/// `BundleFile` lays the archive out first and writes bodies at their places in any order; the
/// result must be byte for byte what writing entry after entry gives (`TarWriter`), so archives
/// stay deterministic and every loader reads them as before.
@Suite struct BundleFileTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-bundlefile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func blob(_ size: Int, seed: UInt8) -> (Descriptor, Data) {
        let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
        return (Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: data), size: Int64(size)), data)
    }

    @Test(arguments: [[0, 1, 511, 512, 513, 70_000], [1_048_576, 3], []])
    func writingInPlaceInAnyOrderGivesTheBytesOfWritingInOrder(sizes: [Int]) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let blobs = sizes.enumerated().map { blob($0.element, seed: UInt8($0.offset)) }
        let files: [(name: String, contents: Data)] = [
            (BundleLayout.ociLayoutFile, BundleLayout.ociLayoutContents),
            (BundleLayout.ociIndexFile, Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8)),
            (BundleLayout.dockerManifestFile, Data("[]".utf8)),
        ]

        // In order, through libarchive's streaming writer.
        let reference = directory + "/reference.tar"
        let tar = try TarWriter(path: reference)
        for file in files { try tar.addFile(file.name, contents: file.contents) }
        try tar.addDirectory(BundleLayout.blobsDirectory)
        try tar.addDirectory(BundleLayout.sha256Directory)
        for (index, (descriptor, data)) in blobs.enumerated() {
            let path = "\(directory)/blob-\(index)"
            try data.write(to: URL(fileURLWithPath: path))
            try tar.addFile(BundleLayout.blobPath(descriptor.digest), size: descriptor.size, from: path)
        }
        try tar.finish()

        // In place, bodies last to first, half of them through slots and half copied by the kernel.
        let output = directory + "/in-place.tar"
        let file = try BundleFile(outputPath: output, files: files, blobs: blobs.map(\.0))
        for (index, (descriptor, data)) in blobs.enumerated().reversed() {
            if index % 2 == 0 {
                let slot = try file.slot(for: descriptor)
                try data.withUnsafeBytes { try slot.write($0) }
                try slot.commit()
            } else {
                try file.copyBody(of: descriptor, from: "\(directory)/blob-\(index)")
            }
        }
        let checksum = try file.commit()

        let written = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(try written == Data(contentsOf: URL(fileURLWithPath: reference)))
        #expect(!FileManager.default.fileExists(atPath: file.temporaryPath))
        // Hashed in order while the bodies landed out of order: the sha256 of the file, and its sidecar.
        #expect(checksum == Digest.compute(of: written))
        #expect(try String(contentsOfFile: output + ".sha256", encoding: .utf8) == "\(checksum.encoded)  in-place.tar\n")
    }

    @Test func anArchiveWithABodyNeverWrittenIsNotCommitted() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (first, data) = blob(1_000, seed: 3)
        let (second, _) = blob(2_000, seed: 4)
        let output = directory + "/x.tar"
        let file = try BundleFile(outputPath: output, files: [], blobs: [first, second])
        let slot = try file.slot(for: first)
        try data.withUnsafeBytes { try slot.write($0) }
        try slot.commit()
        #expect(throws: ArchiveError.self) { try file.commit() }
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(!FileManager.default.fileExists(atPath: output + ".sha256"))
    }

    @Test func aPartCopiesABodyFromAnotherPart() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (descriptor, data) = blob(70_000, seed: 9)
        let first = try BundleFile(outputPath: directory + "/p-1.tar", files: [], blobs: [descriptor])
        let second = try BundleFile(outputPath: directory + "/p-2.tar", files: [], blobs: [descriptor])
        let slot = try first.slot(for: descriptor)
        try data.withUnsafeBytes { try slot.write($0) }
        try slot.commit()
        try second.copyBody(of: descriptor, from: first)
        try first.commit()
        try second.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/p-1.tar")) == Data(contentsOf: URL(fileURLWithPath: directory + "/p-2.tar")))
    }

    @Test func placeholdersAreEmptyEntriesNamedForTheirLayer() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (kept, data) = blob(600, seed: 5)
        let (leftOut, _) = blob(9_000, seed: 6)
        let output = directory + "/delta.tar"
        let file = try BundleFile(outputPath: output, files: [], blobs: [kept], placeholders: [leftOut.digest])
        let slot = try file.slot(for: kept)
        try data.withUnsafeBytes { try slot.write($0) }
        try slot.commit()
        try file.commit()
        let reader = try TarReader(path: output)
        var sizes: [String: Int64] = [:]
        while let entry = try reader.next() { sizes[entry.name] = entry.size }
        #expect(sizes[BundleLayout.blobPath(kept.digest)] == 600)
        #expect(sizes[BundleLayout.blobPath(leftOut.digest)] == 0)
        #expect(BundleLayout.isPlaceholder(digest: leftOut.digest, size: 0))
        #expect(!BundleLayout.isPlaceholder(digest: BundleLayout.emptyDigest, size: 0))
    }

    @Test func aDiscardedFileLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (descriptor, _) = blob(100, seed: 1)
        let file = try BundleFile(outputPath: directory + "/x.tar", files: [], blobs: [descriptor])
        #expect(FileManager.default.fileExists(atPath: file.temporaryPath))
        file.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func aSlotHoldsWhatWasWrittenForTheDownloaderToHash() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (descriptor, data) = blob(5_000, seed: 7)
        let file = try BundleFile(outputPath: directory + "/x.tar", files: [], blobs: [descriptor])
        let slot = try file.slot(for: descriptor)
        try data.prefix(3_000).withUnsafeBytes { try slot.write($0) }
        var held = Data()
        try slot.readHeld { held.append(contentsOf: $0) }
        #expect(held == data.prefix(3_000))
        try slot.restart()
        #expect(slot.heldBytes == 0)
    }
}
