import Foundation
import Inventory
import Testing

// Keeps SuiteCatalog honest: each `### [name](…) images` heading of the seed document (copied
// into testdata/seed/) is followed by an `export IMAGES=( … )` block, which must parse to
// exactly that suite's images.

private let seedFile = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // InventoryTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("testdata/seed/000_f57fbfcb2db50f42.txt")

/// The suite name of each `### [name](…) images` heading and the first bash block after it.
private func seedSuiteBlocks() throws -> [(name: String, block: String)] {
    let text = try String(contentsOf: seedFile, encoding: .utf8)
    var result: [(name: String, block: String)] = []
    var name: String?
    var block: [Substring]?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("### ["), line.hasSuffix(" images"), let close = line.firstIndex(of: "]") {
            name = String(line[line.index(line.startIndex, offsetBy: 5)..<close])
        } else if name != nil, block == nil, line == "```bash" {
            block = []
        } else if let current = name, let lines = block {
            if line == "```" {
                result.append((current, lines.joined(separator: "\n")))
                name = nil
                block = nil
            } else {
                block = lines + [line]
            }
        }
    }
    return result
}

@Test func seedHeadingsNameTheCatalogsSuitesInOrder() throws {
    #expect(try seedSuiteBlocks().map(\.name) == SuiteCatalog.openShiftTestLists.map(\.name))
}

@Test func seedArraysEqualTheCatalog() throws {
    let blocks = try seedSuiteBlocks()
    try #require(blocks.count == 8)
    for (name, block) in blocks {
        let parsed = try ImageList.parse(block, source: seedFile.lastPathComponent)
        #expect(parsed == (try SuiteCatalog.suite(named: name)).images, "\(name)")
        // The seed writes full forms, so the rendered array is the seed's own text.
        #expect(parsed.rendered(as: .bash) == block + "\n", "\(name)")
    }
}
