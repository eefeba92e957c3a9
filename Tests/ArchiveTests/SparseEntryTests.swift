import Foundation
import OCI
import Testing

@testable import Archive

/// A sparse tar entry's stored bytes are not its content: `verify` (which reads the content
/// libarchive expands) passed such an archive, and `mirror --from` (which sends the bytes stored at
/// the entry's offset) then failed midway. Every reader of an archive now refuses it.
@Suite struct SparseEntryTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory()
    }

    /// How the sparse layer is stored.
    enum Form: String, Sendable, CaseIterable, CustomTestStringConvertible {
        /// GNU tar's own `S` header.
        case gnu
        /// pax with `GNU.sparse.*` records, in GNU tar's three sparse versions.
        case pax00 = "posix --sparse-version=0.0"
        case pax01 = "posix --sparse-version=0.1"
        case pax10 = "posix --sparse-version=1.0"
        /// pax 1.0 whose one data segment covers the file: libarchive reports a plain file, but
        /// the stored bytes start with the sparse map.
        case pax10OneSegment

        var testDescription: String { self == .pax10OneSegment ? "pax 1.0, one segment" : "GNU tar --format=\(rawValue)" }
    }

    /// The standard archive plus an image whose 1 MiB layer is mostly a hole, that layer stored as
    /// a sparse entry (and nowhere else). Everything else about the archive is sound.
    private func archive(_ form: Form) throws -> (path: String, layer: String) {
        var standard = BundleFixture.standard()
        var layer = Data(count: form == .pax10OneSegment ? 8192 : 1 << 20)
        let head = standard.fixture.randomBytes(4096), tail = standard.fixture.randomBytes(4096)
        layer.replaceSubrange(0..<4096, with: head)
        layer.replaceSubrange((layer.count - 4096)..<layer.count, with: tail)
        let image = standard.fixture.addImage("registry.example.com/sparse:1", layers: [layer])
        let digest = image.manifests[0].layers[0].digest
        standard.fixture.removeBlob(digest)
        let path = scratch.path("images.tar")
        try standard.fixture.write(to: path)
        let name = BundleLayout.blobPath(digest)

        if form == .pax10OneSegment {
            try Self.appendOneSegmentPaxSparse(name: name, contents: layer, to: path)
            return (path, name)
        }
        // A file with a real hole, so that GNU tar --sparse stores it as sparse.
        let source = scratch.path("src")
        try FileManager.default.createDirectory(atPath: source + "/blobs/sha256", withIntermediateDirectories: true)
        let file = try FileHandle(forWritingTo: { FileManager.default.createFile(atPath: source + "/" + name, contents: nil); return URL(fileURLWithPath: source + "/" + name) }())
        try file.write(contentsOf: head)
        try file.seek(toOffset: UInt64(layer.count - 4096))
        try file.write(contentsOf: tail)
        try file.close()
        // Written alone, then appended: appending with tar -r would keep the archive's ustar
        // format, which has no sparse files.
        let part = scratch.path("part.tar")
        let format = form.rawValue.split(separator: " ").map(String.init)
        _ = try run("/bin/tar", ["--sparse", "--format=\(format[0])"] + format.dropFirst() + ["-cf", part, "-C", source, name])
        try Self.append(try Data(contentsOf: URL(fileURLWithPath: part)), to: path)
        return (path, name)
    }

    @Test(arguments: Form.allCases)
    func theReaderRefusesASparseEntry(_ form: Form) throws {
        let (path, name) = try archive(form)
        // Before: read as a plain file of 1 MiB whose content hashes to its name.
        let error = #expect(throws: BundleReadError.self) { _ = try BundleReader(path: path).read() }
        guard case .unsafeEntry(let archive, let entry, let reason) = error else {
            Issue.record("expected an unsafe entry, got \(String(describing: error))")
            return
        }
        #expect(archive == path)
        #expect(entry == name)
        #expect(reason.contains("it is a sparse file"), "\(reason)")
    }

    @Test(arguments: Form.allCases)
    func verifyReportsTheSparseEntryAsTheArchivesOneProblem(_ form: Form) throws {
        let (path, name) = try archive(form)
        // Before: no problem at all, exit 0.
        let verification = try BundleVerifier.verify(archiveAt: path)
        #expect(verification.errors.count == 1)
        #expect(verification.errors.first?.message.contains("refusing entry \"\(name)\": it is a sparse file") == true, "\(verification.errors)")
    }

    @Test(arguments: Form.allCases)
    func theOffsetScanOfMirrorFromRefusesIt(_ form: Form) throws {
        let (path, name) = try archive(form)
        // Before: an offset whose bytes are the data without its hole, or the sparse map.
        let error = #expect(throws: BundleReadError.self) { _ = try BundleBlobOffsets.scan(path) }
        #expect(error?.description.contains("refusing entry \"\(name)\": it is a sparse file") == true, "\(String(describing: error))")
    }

    @Test func theSameLayerStoredPlainlyIsAccepted() throws {
        var standard = BundleFixture.standard()
        var layer = Data(count: 1 << 20)
        layer.replaceSubrange(0..<4096, with: standard.fixture.randomBytes(4096))
        standard.fixture.addImage("registry.example.com/sparse:1", layers: [layer])
        let path = scratch.path("images.tar")
        try standard.fixture.write(to: path)
        #expect(try BundleVerifier.verify(archiveAt: path).problems.isEmpty)
        #expect(try BundleBlobOffsets.scan(path).count == standard.fixture.blobData.count)
    }

    // MARK: - A pax 1.0 sparse entry, written by hand

    /// Appends to `archive` a pax 1.0 sparse entry whose map
    /// lists one segment, the whole file, as GNU tar would write it if it ever did.
    static func appendOneSegmentPaxSparse(name: String, contents: Data, to archive: String) throws {
        func padded(_ data: Data) -> Data { data + Data(count: (512 - data.count % 512) % 512) }
        func record(_ key: String, _ value: String) -> Data {
            let body = " \(key)=\(value)\n"
            var length = body.utf8.count + 1
            while String(length).utf8.count + body.utf8.count != length { length = String(length).utf8.count + body.utf8.count }
            return Data("\(length)\(body)".utf8)
        }
        let records = record("GNU.sparse.major", "1") + record("GNU.sparse.minor", "0") + record("GNU.sparse.name", name)
            + record("GNU.sparse.realsize", "\(contents.count)")
        let map = padded(Data("1\n0\n\(contents.count)\n".utf8))
        let entry = ustarHeader(name: "PaxHeaders/sparse", size: records.count, type: "x") + padded(records)
            + ustarHeader(name: "GNUSparseFile.0/sparse", size: map.count + contents.count, type: "0") + padded(map + contents)
            + Data(count: 1024)
        try append(entry, to: archive)
    }

    /// Writes `entries` (tar blocks ending with the two zero blocks) over the end of `archive`,
    /// right after its last entry's data.
    static func append(_ entries: Data, to archive: String) throws {
        let reader = try TarReader(path: archive)
        var end: Int64 = 0
        while let last = try reader.next() { end = try reader.currentDataOffset() + (last.size + 511) / 512 * 512 }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: archive))
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(end))
        try handle.write(contentsOf: entries)
    }

    static func ustarHeader(name: String, size: Int, type: Character) -> Data {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", size), at: 124)
        put("00000000000", at: 136)
        put("        ", at: 148)
        header[156] = type.asciiValue!
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        return Data(header)
    }
}
