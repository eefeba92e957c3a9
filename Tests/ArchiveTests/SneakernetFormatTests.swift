import Archive
import Foundation
import OCI
import Testing

/// The small formats of issue 17: `NAME.sha256` lines as coreutils writes and reads them, the
/// names of parts, and a delta's annotation.
@Suite struct SneakernetFormatTests {
    let digest = Digest.compute(of: Data("archive".utf8))

    @Test func aChecksumLineIsWhatSha256sumWrites() throws {
        #expect(ChecksumFile.line(digest, name: "images.tar") == "\(digest.encoded)  images.tar\n")
        let entries = try ChecksumFile.parse("\(digest.encoded)  images.tar\n", file: "x")
        #expect(entries.map(\.name) == ["images.tar"] && entries.map(\.digest) == [digest])
    }

    /// GNU coreutils escapes a backslash or newline in a name and marks the line with `\`.
    @Test(arguments: ["a\\b.tar", "two\nlines.tar"])
    func oddNamesRoundTripTheWayCoreutilsEscapesThem(name: String) throws {
        let line = ChecksumFile.line(digest, name: name)
        #expect(line.hasPrefix("\\"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let entries = try ChecksumFile.parse(line, file: "x")
        #expect(entries.first?.name == name)
    }

    @Test(arguments: ["not a line", "\(String(repeating: "g", count: 64))  x.tar", "\(String(repeating: "a", count: 64)) x.tar"])
    func malformedLinesAreRefusedByNumber(text: String) {
        #expect(throws: ChecksumFileError.malformed(file: "f", line: 1)) { try ChecksumFile.parse(text, file: "f") }
    }

    @Test func binaryModeLinesAreRead() throws {
        let entries = try ChecksumFile.parse("\(digest.encoded) *images.tar\n", file: "x")
        #expect(entries.first?.name == "images.tar")
    }

    @Test(arguments: [
        ("images.tar", 2, "images-2.tar", "images.parts"),
        ("/mnt/usb/lab.2026-06.tar", 1, "/mnt/usb/lab.2026-06-1.tar", "/mnt/usb/lab.2026-06.parts"),
        ("images", 3, "images-3", "images.parts"),
        (".hidden", 1, ".hidden-1", ".hidden.parts"),
    ])
    func partsAreNumberedBeforeTheExtension(output: String, number: Int, part: String, list: String) {
        #expect(ArchiveParts.partPath(for: output, number: number) == part)
        #expect(ArchiveParts.listPath(for: output) == list)
    }

    @Test func aPartsListRefusesPartNamesThatLeaveItsDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-parts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/x.parts"
        for name in ["../etc/passwd", "/abs.tar", "..", ""] {
            try ArchiveParts(parts: [.init(file: name, size: 1, sha256: digest, images: [])]).write(to: path)
            #expect(throws: ArchivePartsError.self, "\(name)") { try ArchiveParts.read(path) }
        }
        try ArchiveParts(parts: [.init(file: "x-1.tar", size: 1, sha256: digest, images: ["a"])]).write(to: path)
        #expect(try ArchiveParts.read(path).archivePaths(relativeTo: path) == [directory + "/x-1.tar"])
    }

    @Test func aDeltaNamesItsBasesInTheIndexAnnotation() {
        let bases = [DeltaBase(name: "may.tar", sha256: digest), DeltaBase(name: "april.tar")]
        let index = ImageIndex(manifests: [], annotations: [DeltaBase.annotation: DeltaBase.annotationValue(bases)])
        #expect(DeltaBase.bases(of: index) == bases)
        #expect(DeltaBase.bases(of: ImageIndex(manifests: [])) == nil)
        // An annotation that does not parse still marks a delta: never read as a full archive.
        #expect(DeltaBase.bases(of: ImageIndex(manifests: [], annotations: [DeltaBase.annotation: "{"])) == [])
    }
}
