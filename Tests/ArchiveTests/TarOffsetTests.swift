import Foundation
import Testing

@testable import Archive

/// Data offsets must point at the entry's bytes, whatever headers come before them.
@Suite struct TarOffsetTests {
    @Test func offsetsPointAtEachEntrysBytesIncludingAfterPaxHeaders() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("offsets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tar = directory + "/out.tar"
        let writer = try TarWriter(path: tar)
        let short = Data("short entry".utf8)
        // A name over 100 bytes needs a pax header before the ustar one.
        let longName = "blobs/" + String(repeating: "n", count: 150)
        let long = Data("long-named entry".utf8)
        try writer.addFile("a.txt", contents: short)
        try writer.addFile(longName, contents: long)
        try writer.finish()

        let file = try Data(contentsOf: URL(fileURLWithPath: tar))
        let reader = try TarReader(path: tar)
        var found: [String: Data] = [:]
        while let entry = try reader.next() {
            let offset = Int(try reader.currentDataOffset())
            found[entry.name] = file.subdata(in: offset..<offset + Int(entry.size))
        }
        #expect(found["a.txt"] == short)
        #expect(found[longName] == long)
    }

    /// The layout's headers are libarchive's own, byte for byte, including a pax header larger than
    /// the first 4 KiB buffer it is rendered into (written again into a larger one).
    @Test(arguments: [150, 6_000])
    func theLayoutMatchesWhatTheWriterWrites(nameLength: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let longName = "blobs/" + String(repeating: "n", count: nameLength)
        let bodies: [(String, Data)] = [("a.txt", Data("short entry".utf8)), (longName, Data("long-named entry".utf8))]

        var layout = TarLayout()
        try layout.addDirectory("blobs")
        for (name, body) in bodies { try layout.addFile(name, size: Int64(body.count)) }
        let tar = directory + "/out.tar"
        let writer = try TarWriter(path: tar)
        try writer.addDirectory("blobs")
        for (name, body) in bodies { try writer.addFile(name, contents: body) }
        try writer.finish()

        let file = try Data(contentsOf: URL(fileURLWithPath: tar))
        #expect(Int64(file.count) == layout.size)
        for entry in layout.entries {
            let written = file.subdata(in: Int(entry.headerOffset)..<Int(entry.bodyOffset))
            #expect(written == Data(entry.header), "header of \(entry.name.prefix(20))…")
        }
        #expect(layout.entries.last.map { $0.header.count > 4096 } == (nameLength > 4000))
    }
}
