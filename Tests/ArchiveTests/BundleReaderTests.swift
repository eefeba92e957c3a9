import Foundation
import OCI
import Testing

@testable import Archive

/// Reading an offline archive in one pass: what is kept, what is only hashed, and what is refused.
@Suite struct BundleReaderTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory()
    }

    private func written(_ fixture: BundleFixture, _ name: String = "images.tar") throws -> String {
        let path = scratch.path(name)
        try fixture.write(to: path)
        return path
    }

    @Test func readsBothViewsAndHashesEveryBlob() throws {
        let standard = BundleFixture.standard()
        let path = try written(standard.fixture)
        let contents = try BundleReader(path: path).read()

        #expect(contents.ociLayoutVersion.value == "1.0.0")
        #expect(contents.index.value?.manifests.count == 3)
        #expect(
            contents.dockerManifest.value?.map(\.repoTags) == [
                ["docker.io/library/busybox:1.29"], ["registry.k8s.io/e2e-test-images/agnhost:2.20"], ["registry.k8s.io/pause:3.2"],
            ])
        #expect(Set(contents.blobs.keys) == Set(standard.fixture.blobOrder))
        #expect(contents.blobs.values.allSatisfy { $0.isIntact })
        #expect(contents.duplicateEntries.isEmpty && contents.strayEntries.isEmpty)
        #expect(contents.entryCount == standard.fixture.entryNames.count)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(contents.archiveSize == Int64(size ?? -1))
    }

    @Test func keepsManifestsIndexesAndConfigsButNotLayers() throws {
        let standard = BundleFixture.standard()
        let contents = try BundleReader(path: try written(standard.fixture)).read()
        var json: Set<Digest> = [standard.agnhost.descriptor.digest]
        var layers: Set<Digest> = []
        for image in [standard.busybox, standard.agnhost, standard.pause] {
            for part in image.manifests {
                json.formUnion([part.manifest.digest, part.config.digest])
                layers.formUnion(part.layers.map(\.digest))
            }
        }
        #expect(Set(contents.smallBlobs.keys) == json)
        #expect(contents.smallBlobs.keys.allSatisfy { !layers.contains($0) })
        for digest in json {
            #expect(contents.smallBlobs[digest] == standard.fixture.blobData[digest])
        }
    }

    /// Only small blobs whose first non-blank byte is `{` may be manifests; a big one is only hashed.
    @Test(arguments: [
        ("  \n{\"schemaVersion\":2}", true),
        ("{}", true),
        ("[1,2]", false),
        ("   ", false),
        ("\u{1f}\u{8b}gzip", false),
    ])
    func keepsOnlyWhatMayBeJSON(text: String, kept: Bool) throws {
        var fixture = BundleFixture()
        let blob = fixture.addBlob(Data(text.utf8), mediaType: .ociLayerGzip)
        let contents = try BundleReader(path: try written(fixture)).read()
        #expect((contents.smallBlobs[blob.digest] != nil) == kept)
        #expect(contents.blobs[blob.digest]?.isIntact == true)
    }

    @Test func aBlobLargerThanTheSmallLimitIsHashedInChunksAndNotKept() throws {
        var fixture = BundleFixture()
        // Starts like JSON, spans several 1 MiB read chunks, and is over the 4 MiB small-blob limit.
        let big = Data("{".utf8) + fixture.randomBytes(5 * 1024 * 1024)
        let blob = fixture.addBlob(big, mediaType: .ociLayerGzip)
        let contents = try BundleReader(path: try written(fixture)).read()
        #expect(contents.blobs[blob.digest]?.size == Int64(big.count))
        #expect(contents.blobs[blob.digest]?.isIntact == true)
        #expect(contents.smallBlobs.isEmpty)
    }

    @Test func aCorruptBlobIsRecordedWithItsRealDigestAndNotKept() throws {
        var standard = BundleFixture.standard()
        let config = standard.pause.manifests[0].config.digest
        standard.fixture.blobData[config] = Data(#"{"architecture":"evil"}"#.utf8)
        let contents = try BundleReader(path: try written(standard.fixture)).read()
        let blob = try #require(contents.blobs[config])
        #expect(!blob.isIntact)
        #expect(blob.computedDigest == Digest.compute(of: Data(#"{"architecture":"evil"}"#.utf8)))
        #expect(contents.smallBlobs[config] == nil)
    }

    @Test func keptBlobsAreCappedInTotal() throws {
        let standard = BundleFixture.standard()
        let reader = BundleReader(path: try written(standard.fixture), limits: .init(smallBlobsTotal: 1000))
        #expect {
            _ = try reader.read()
        } throws: { error in
            guard case .tooManySmallBlobs(_, let entry, 1000) = error as? BundleReadError else { return false }
            return entry.hasPrefix("blobs/sha256/")
        }
    }

    @Test func oversizedMetadataIsRefused() throws {
        var fixture = BundleFixture()
        fixture.rawIndex = Data(repeating: 0x20, count: 5000)
        let reader = BundleReader(path: try written(fixture), limits: .init(metadataSize: 4096))
        #expect(throws: BundleReadError.metadataTooLarge(archive: reader.path, entry: "index.json", limit: 4096)) {
            _ = try reader.read()
        }
    }

    @Test func strayAndDuplicateEntriesAreRecorded() throws {
        var standard = BundleFixture.standard()
        let layer = standard.pause.manifests[0].layers[0].digest
        standard.fixture.extraFiles = [
            .init(name: "README", contents: Data("hello".utf8)),
            .init(name: "blobs/sha512/abc", contents: Data()),
            .init(name: BundleLayout.blobPath(layer), contents: standard.fixture.blobData[layer]!),
            .init(name: "./index.json", contents: Data("{}".utf8)),
        ]
        let contents = try BundleReader(path: try written(standard.fixture)).read()
        #expect(contents.strayEntries == ["README", "blobs/sha512/abc"])
        #expect(contents.duplicateEntries == [BundleLayout.blobPath(layer), "index.json"])
        // The last copy counts, as when the tar is extracted.
        #expect(contents.index.value == nil)
    }

    // MARK: - Refused archives

    /// Entries that could escape the directory an archive is extracted to, written as given.
    @Test(arguments: [
        ("../evil", "\"..\""),
        ("blobs/../../evil", "\"..\""),
        ("/etc/x", "absolute path"),
    ])
    func escapingNamesAreRefused(name: String, reason: String) throws {
        var standard = BundleFixture.standard()
        standard.fixture.extraFiles = [.init(name: name, contents: Data("x".utf8))]
        let path = try written(standard.fixture)
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: path).read() }
        guard case .unsafeEntry(let archive, let entry, let why) = error else {
            Issue.record("expected an unsafe entry, got \(String(describing: error))")
            return
        }
        #expect(archive == path)
        #expect(entry == name)
        #expect(why.contains(reason))
        #expect(error?.description.contains(name) == true)
    }

    /// Links, devices and FIFOs, appended to a valid archive by GNU tar (TarWriter writes none).
    @Test(arguments: [
        (LinkKind.symbolic, "symbolic link to \"/etc/passwd\""),
        (LinkKind.hard, "hard link to \"target\""),
        (LinkKind.device, "not a regular file or directory"),
        (LinkKind.fifo, "not a regular file or directory"),
    ])
    func linksAndDevicesAreRefused(kind: LinkKind, reason: String) throws {
        let path = try written(BundleFixture.standard().fixture)
        let source = scratch.path("src")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let name: String
        switch kind {
        case .symbolic:
            name = "blobs/sha256/link"
            try FileManager.default.createDirectory(atPath: source + "/blobs/sha256", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: source + "/" + name, withDestinationPath: "/etc/passwd")
            _ = try run("/bin/tar", ["-rf", path, "-C", source, name])
        case .hard:
            name = "copy"
            try Data("x".utf8).write(to: URL(fileURLWithPath: source + "/target"))
            try FileManager.default.linkItem(atPath: source + "/target", toPath: source + "/copy")
            _ = try run("/bin/tar", ["-rf", path, "-C", source, "target", "copy"])
        case .device:
            name = "null"
            _ = try run("/bin/tar", ["-rf", path, "-C", "/dev", "null"])
        case .fifo:
            name = "blobs/sha256/fifo"
            try FileManager.default.createDirectory(atPath: source + "/blobs/sha256", withIntermediateDirectories: true)
            guard mkfifo(source + "/" + name, 0o644) == 0 else { throw ToolFailure(command: "mkfifo", status: errno) }
            _ = try run("/bin/tar", ["-rf", path, "-C", source, name])
        }
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: path).read() }
        guard case .unsafeEntry(_, let entry, let why) = error else {
            Issue.record("expected an unsafe entry, got \(String(describing: error))")
            return
        }
        #expect(entry == name)
        #expect(why.contains(reason))
    }

    enum LinkKind: Sendable { case symbolic, hard, device, fifo }

    @Test func aFileThatIsNotATarIsRefused() throws {
        let path = scratch.path("notes.txt")
        try Data(String(repeating: "not a tar archive\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: path).read() }
        guard case .notAnArchive(path, _) = error else {
            Issue.record("expected notAnArchive, got \(String(describing: error))")
            return
        }
    }

    @Test func anEmptyFileIsRefused() throws {
        let path = scratch.path("empty.tar")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: BundleReadError.notAnArchive(archive: path, reason: "the file is empty")) {
            _ = try BundleReader(path: path).read()
        }
    }

    @Test func aCompressedArchiveIsRefusedWithAHint() throws {
        let path = try written(BundleFixture.standard().fixture)
        _ = try run("/bin/gzip", ["-f", path])
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: path + ".gz").read() }
        #expect(error?.description.contains("gzip-compressed") == true)
    }

    @Test func aMissingFileOrADirectoryIsUnreadable() throws {
        let missing = scratch.path("nowhere.tar")
        #expect(throws: BundleReadError.unreadable(archive: missing, reason: "no such file")) {
            _ = try BundleReader(path: missing).read()
        }
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: scratch.url.path).read() }
        #expect(error?.description.contains("directory") == true)
    }

    @Test func aTruncatedArchiveIsDamaged() throws {
        var fixture = BundleFixture()
        fixture.addBlob(fixture.randomBytes(100_000), mediaType: .ociLayerGzip)
        let path = try written(fixture)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50_000)
        try handle.close()
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: path).read() }
        guard case .damaged(path, let entry?, _) = error else {
            Issue.record("expected damaged, got \(String(describing: error))")
            return
        }
        #expect(entry.hasPrefix("blobs/sha256/"))
    }
}
