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
}
