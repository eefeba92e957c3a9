import Foundation
import Inventory
import OCI
import Testing

// The list value itself: de-duplication, merging, rendering and reading files.

private func list(_ references: String...) throws -> ImageList {
    ImageList(try references.map { try ImageReference($0) })
}

@Test func initializerKeepsFirstOccurrences() throws {
    let images = try list("nginx:1.14-alpine", "busybox:1.29", "docker.io/library/nginx:1.14-alpine", "busybox:1.29")
    #expect(images.references.map(\.familiar) == ["nginx:1.14-alpine", "busybox:1.29"])
    #expect(!images.isEmpty)
    #expect(ImageList().isEmpty)
}

@Test func mergingAppendsOnlyNewReferences() throws {
    let first = try list("busybox:1.29", "k8s.gcr.io/pause:3.2")
    let second = try list("docker.io/library/busybox:1.29", "nginx:1.14-alpine", "k8s.gcr.io/pause:3.2")
    #expect(first.merging(second) == (try list("busybox:1.29", "k8s.gcr.io/pause:3.2", "nginx:1.14-alpine")))
    #expect(second.merging(first).references.first?.familiar == "busybox:1.29")
    #expect(first.merging(ImageList()) == first)
    #expect(ImageList().merging(first) == first)
}

// MARK: - Rendering

@Test func rendersTheSeedsBashForm() throws {
    let images = try ImageList.parse(seedMinimalBlock, source: "seed")
    #expect(images.rendered(as: .bash) == seedMinimalBlock)
}

@Test func rendersOneFullReferencePerLine() throws {
    let images = try list("busybox:1.29", "k8s.gcr.io/pause:3.2")
    #expect(images.rendered(as: .list) == "docker.io/library/busybox:1.29\nk8s.gcr.io/pause:3.2\n")
}

@Test func rendersAnEmptyList() {
    #expect(ImageList().rendered(as: .list) == "")
    #expect(ImageList().rendered(as: .bash) == "export IMAGES=(\n      )\n")
}

private let roundTripLists: [ImageList] = {
    let digest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    let extra = try! list("busybox", "quay.io/a/b:1@\(digest)", "localhost:5000/mirror/x@\(digest)", "[::1]:5000/y:z")
    return [ImageList(), extra] + SuiteCatalog.builtIn.map(\.images)
}()

@Test(arguments: roundTripLists, ImageListFormat.allCases)
func renderingRoundTrips(_ images: ImageList, _ format: ImageListFormat) throws {
    #expect(try ImageList.parse(images.rendered(as: format), source: "rendered") == images)
}

// MARK: - Files

/// A fresh directory under the system's temporary directory, removed after `body`.
private func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}

@Test func loadsAFile() throws {
    try withTemporaryDirectory { directory in
        let file = directory.appendingPathComponent("images.txt")
        try Data(seedMinimalBlock.utf8).write(to: file)
        #expect(try ImageList.load(contentsOf: file.path) == (try ImageList.parse(seedMinimalBlock, source: "x")))
    }
}

@Test func errorsFromAFileNameItsPath() throws {
    try withTemporaryDirectory { directory in
        let path = directory.appendingPathComponent("images.txt").path
        try Data("busybox:1.29\nBusybox:1.29\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ImageListError.self) { try ImageList.load(contentsOf: path) }
        #expect(error.description.hasPrefix("\(path):2: invalid image reference \"Busybox:1.29\""))
    }
}

@Test func missingFileGivesTheSystemsReason() throws {
    try withTemporaryDirectory { directory in
        let path = directory.appendingPathComponent("absent.txt").path
        #expect(throws: ImageListError.unreadableFile(path: path, reason: "No such file or directory")) {
            try ImageList.load(contentsOf: path)
        }
    }
}

@Test func directoryIsUnreadable() throws {
    try withTemporaryDirectory { directory in
        #expect(throws: ImageListError.unreadableFile(path: directory.path, reason: "Is a directory")) {
            try ImageList.load(contentsOf: directory.path)
        }
    }
}

@Test func refusesTextThatIsNotUTF8() throws {
    try withTemporaryDirectory { directory in
        let file = directory.appendingPathComponent("latin1.txt")
        try Data([0x62, 0x75, 0x73, 0x79, 0xE9, 0x0A]).write(to: file)
        #expect(throws: ImageListError.unreadableFile(path: file.path, reason: "not UTF-8 text")) {
            try ImageList.load(contentsOf: file.path)
        }
    }
}
