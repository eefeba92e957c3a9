import Foundation
import Testing

@testable import Archive

/// The libarchive binding against itself and against GNU tar, the real reader users have.
@Suite struct TarRoundTripTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-tar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A file bigger than one copy chunk (1 MiB) so the streaming loop runs more than once.
    private func makeBlob(named name: String, size: Int) throws -> String {
        var bytes = [UInt8](repeating: 0, count: size)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 7) }
        let blob = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: blob))
        return blob
    }

    private func writeSample(to output: String, blob: String, blobSize: Int64) throws {
        let writer = try TarWriter(path: output)
        try writer.addFile("oci-layout", contents: Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        try writer.addDirectory("blobs")
        try writer.addDirectory("blobs/sha256/")
        try writer.addFile("blobs/sha256/" + String(repeating: "a", count: 64), size: blobSize, from: blob)
        try writer.finish()
    }

    @Test func writtenEntriesReadBackWithTheirContents() throws {
        let blobSize = 3 * 1024 * 1024 + 17
        let blob = try makeBlob(named: "blob", size: blobSize)
        let tar = path("out.tar")
        try writeSample(to: tar, blob: blob, blobSize: Int64(blobSize))

        let reader = try TarReader(path: tar)
        var seen: [TarEntry] = []
        var blobBytes = Data()
        while let entry = try reader.next() {
            seen.append(entry)
            if entry.name.hasPrefix("blobs/sha256/a") {
                try reader.readData { blobBytes.append(contentsOf: $0) }
            } else if entry.name == "oci-layout" {
                #expect(String(decoding: try reader.readSmallData(limit: 1024), as: UTF8.self) == #"{"imageLayoutVersion":"1.0.0"}"#)
            }
        }
        #expect(seen.map(\.name) == ["oci-layout", "blobs/", "blobs/sha256/", "blobs/sha256/" + String(repeating: "a", count: 64)])
        #expect(seen.map(\.kind) == [.regular, .directory, .directory, .regular])
        #expect(seen.last?.size == Int64(blobSize))
        #expect(blobBytes == (try Data(contentsOf: URL(fileURLWithPath: blob))))
    }

    @Test func gnuTarReadsWhatWeWrite() throws {
        let blob = try makeBlob(named: "blob", size: 4096)
        let tar = path("out.tar")
        try writeSample(to: tar, blob: blob, blobSize: 4096)
        let listing = try run("/bin/tar", ["-tvf", tar])
        #expect(listing.contains("0/0"))  // owner 0:0 with no names, whoever wrote it
        #expect(listing.contains("blobs/sha256/" + String(repeating: "a", count: 64)))
        let extracted = path("x")
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        _ = try run("/bin/tar", ["-xf", tar, "-C", extracted])
        let copy = try Data(contentsOf: URL(fileURLWithPath: extracted + "/blobs/sha256/" + String(repeating: "a", count: 64)))
        #expect(copy == (try Data(contentsOf: URL(fileURLWithPath: blob))))
    }

    @Test func sameInputsGiveSameBytes() throws {
        let blob = try makeBlob(named: "blob", size: 10_000)
        try writeSample(to: path("one.tar"), blob: blob, blobSize: 10_000)
        try writeSample(to: path("two.tar"), blob: blob, blobSize: 10_000)
        let one = try Data(contentsOf: URL(fileURLWithPath: path("one.tar")))
        let two = try Data(contentsOf: URL(fileURLWithPath: path("two.tar")))
        #expect(one == two)
        // Four headers, oci-layout's one record, the blob padded to 512, two end records:
        // no padding to libarchive's default 10 KiB block.
        #expect(one.count == 4 * 512 + 512 + 10_240 + 2 * 512)
    }

    @Test func sourceShorterThanDeclaredSizeIsAnError() throws {
        let blob = try makeBlob(named: "short", size: 100)
        let writer = try TarWriter(path: path("short.tar"))
        #expect(throws: ArchiveError.self) {
            try writer.addFile("blobs/sha256/x", size: 200, from: blob)
        }
    }

    @Test func missingSourceNamesTheFile() throws {
        let writer = try TarWriter(path: path("missing.tar"))
        let error = #expect(throws: ArchiveError.self) {
            try writer.addFile("x", size: 1, from: path("does-not-exist"))
        }
        #expect(error?.description.contains("does-not-exist") == true)
    }

    @Test func writingAfterFinishIsRefused() throws {
        let writer = try TarWriter(path: path("done.tar"))
        try writer.finish()
        try writer.finish()  // a second finish is harmless
        #expect(throws: ArchiveError.self) { try writer.addFile("late", contents: Data()) }
    }

    @Test func linksAreReportedAsLinksNotFollowed() throws {
        let source = path("src")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: source + "/file"))
        try FileManager.default.createSymbolicLink(atPath: source + "/symlink", withDestinationPath: "/etc/passwd")
        try FileManager.default.linkItem(atPath: source + "/file", toPath: source + "/hardlink")
        let tar = path("links.tar")
        _ = try run("/bin/tar", ["-cf", tar, "-C", source, "file", "symlink", "hardlink"])

        let reader = try TarReader(path: tar)
        var kinds: [String: TarEntry.Kind] = [:]
        var targets: [String: String] = [:]
        while let entry = try reader.next() {
            kinds[entry.name] = entry.kind
            targets[entry.name] = entry.linkTarget
        }
        #expect(kinds == ["file": .regular, "symlink": .symbolicLink, "hardlink": .hardLink])
        #expect(targets["symlink"] == "/etc/passwd")
        #expect(targets["hardlink"] == "file")
    }

    @Test func aFileThatIsNotATarIsRefused() throws {
        let bogus = path("bogus.tar")
        try Data(repeating: 0x41, count: 2048).write(to: URL(fileURLWithPath: bogus))
        #expect(throws: ArchiveError.self) {
            let reader = try TarReader(path: bogus)
            while try reader.next() != nil {}
        }
    }

    @Test func oversizedSmallEntryIsRefused() throws {
        let tar = path("big.tar")
        let writer = try TarWriter(path: tar)
        try writer.addFile("index.json", contents: Data(repeating: 0x20, count: 5000))
        try writer.finish()
        let reader = try TarReader(path: tar)
        _ = try reader.next()
        #expect(throws: ArchiveError.self) { _ = try reader.readSmallData(limit: 4096) }
    }
}

/// Runs a real tool and returns its standard output; throws when it exits non-zero.
func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailure(command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus)
    }
    return String(decoding: data, as: UTF8.self)
}

struct ToolFailure: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    var description: String { "\(command) exited \(status)" }
}
