import Archive
import Foundation
import Testing

@testable import Nodes

/// The names and digest the node procedures take from an archive: from the archive itself, never
/// from anything typed.
@Suite struct NodeArchiveTests {
    @Test func namesComeFromIndexJSONInOrderThenExtraRepoTags() async throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        let sha256 = try ArchiveFixture(images: [
            .init("k8s.gcr.io/pause:3.2"),
            .init("docker.io/library/busybox:1.29", repoTags: ["docker.io/library/busybox:1.29", "docker.io/library/busybox:latest"]),
        ]).write(to: path)
        let archive = try await NodeArchive.reading(path: path)
        #expect(archive.images == ["k8s.gcr.io/pause:3.2", "docker.io/library/busybox:1.29", "docker.io/library/busybox:latest"])
        #expect(archive.sha256 == sha256, "the sha256 of the whole file")
        #expect(archive.path == path)
        #expect(archive.size == Int64(try Data(contentsOf: URL(fileURLWithPath: path)).count))
        #expect(archive.unusualNames.isEmpty)
    }

    @Test func hostileNamesAreReadAsTheyAreAndFlagged() throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        let names = ["docker.io/library/busybox:1.29", "$(touch pwned)", "a b'c"]
        try ArchiveFixture(names).write(to: path)
        let archive = try NodeArchive.read(path: path)
        #expect(archive.images == names)
        #expect(archive.unusualNames == ["$(touch pwned)", "a b'c"])
    }

    @Test func anUnnamedImageIsRefused() throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        try ArchiveFixture(images: [.init("k8s.gcr.io/pause:3.2"), .init(nil, repoTags: [])]).write(to: path)
        #expect {
            try NodeArchive.read(path: path)
        } throws: { error in
            guard case NodeArchiveError.unnamedImage(let archive, let entry) = error else { return false }
            return archive == path && entry == "index.json entry 2"
        }
    }

    @Test func anArchiveWithoutImagesIsRefused() throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        try ArchiveFixture([]).write(to: path)
        #expect(throws: NodeArchiveError.noImages(archive: path)) { try NodeArchive.read(path: path) }
    }

    @Test func anUnreadableArchiveSaysWhy() throws {
        let scratch = try Scratch()
        let path = try scratch.write("not a tar at all, just text\n", to: "images.tar")
        #expect {
            try NodeArchive.read(path: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("not a tar archive")
        }
        #expect(throws: NodeArchiveError.self) { try NodeArchive.read(path: scratch.path + "/missing.tar") }
    }

    @Test func theDigestIsTheWholeFilesAsSha256sumSaysIt() async throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        try ArchiveFixture(["docker.io/library/busybox:1.29"]).write(to: path)
        let result = try await ChildProcess(environment: ProcessInfo.processInfo.environment).run(["sha256sum", path])
        #expect(try NodeArchive.read(path: path).sha256.encoded == String(result.output.prefix(64)))
    }

    // MARK: - Deltas

    @Test func aFullArchiveIsNoDelta() throws {
        let scratch = try Scratch()
        let path = try scratch.file("images.tar")
        try ArchiveFixture(["docker.io/library/busybox:1.29"]).write(to: path)
        #expect(try NodeArchive.read(path: path).delta == nil)
    }

    @Test func aDeltaNamesItsBasesAndTheDiffIDsOfTheLayersItLeftOut() throws {
        let scratch = try Scratch()
        let path = try scratch.file("june.tar")
        var fixture = ArchiveFixture(["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"])
        fixture.deltaBases = [DeltaBase(name: "may.tar")]
        try fixture.write(to: path)
        let archive = try NodeArchive.read(path: path)
        // Both images left the same layer out: its diff_id once, never its (compressed) digest.
        #expect(archive.delta == NodeDelta(bases: [DeltaBase(name: "may.tar")], layers: [fixture.leftOutDiffID]))
        #expect(fixture.leftOutDiffID != fixture.leftOutLayer.digest)
        #expect(archive.images == ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"])
    }

    @Test func aDeltaWithoutPlaceholdersIsRefusedForPodmanCannotReadIt() throws {
        let scratch = try Scratch()
        let path = try scratch.file("june.tar")
        var fixture = ArchiveFixture(["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"])
        fixture.deltaBases = [DeltaBase(name: "may.tar")]
        fixture.placeholders = false
        try fixture.write(to: path)
        #expect {
            try NodeArchive.read(path: path)
        } throws: { error in
            guard case NodeArchiveError.unloadableDelta(let archive, let reason) = error else { return false }
            return archive == path && reason.hasPrefix("1 layer(s) it left out have no entry at all")
        }
    }

    @Test(arguments: [
        ([], "its base archives (the delta does not name them)"),
        (["may.tar"], "may.tar"),
        (["april.tar", "may.tar"], "april.tar and may.tar"),
        (["march.tar", "april.tar", "may.tar"], "march.tar, april.tar and may.tar"),
    ])
    func theBasesAreNamedInOneSentence(names: [String], sentence: String) {
        #expect(NodeDelta(bases: names.map { DeltaBase(name: $0) }, layers: []).baseNames == sentence)
    }
}
