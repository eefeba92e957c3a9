import Archive
import Foundation
import OCI
import Testing

/// Image names from an archive, node and image names from crictl snapshots, and the errors that
/// quote them reach the terminal escaped, through the binary: ESC sequences, CR, BEL and U+202E
/// appear as \x1b, \x0d, \x07 and \u{202e}. Before, `inspect`, `verify`, the error lines and the
/// node scripts printed them raw (a name could clear the screen, or print "OK" over an error).
@Suite struct TerminalEscapeTests {
    static let names = [
        "registry.example.com/esc\u{1B}[2J\u{1B}[31m:1",
        "registry.example.com/cr:1\rOK: 4 images verified",
        "registry.example.com/bel:1\u{07}",
        "registry.example.com/\u{202E}1:gat",
    ]

    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-escape-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Nothing in `text` that a terminal would not show as itself, line breaks aside.
    private func expectVisible(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let hidden = text.unicodeScalars.filter { VisibleText.needsEscaping($0) && $0 != "\n" }
        #expect(hidden.isEmpty, "\(what) printed \(hidden.map { VisibleText.escape($0) }): \(VisibleText.escapingLines(text))", sourceLocation: sourceLocation)
    }

    private func expectEscapedNames(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for name in Self.names {
            #expect(text.contains(VisibleText.escaping(name)), "\(what) lacks \(VisibleText.escaping(name)): \(VisibleText.escapingLines(text))", sourceLocation: sourceLocation)
        }
    }

    @Test func inspectVerifyAndMirrorFromShowArchiveNamesEscaped() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/images.tar"
        try HostileNamesArchive(names: Self.names).write(to: archive)

        let inspected = try AirgapBinary.run(["inspect", archive])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        expectVisible(inspected.stdout + inspected.stderr, "inspect")
        expectEscapedNames(inspected.stdout, "inspect")

        let verified = try AirgapBinary.run(["verify", archive])
        #expect(verified.status == 1, "names that are not references are errors")
        expectVisible(verified.stdout + verified.stderr, "verify")
        expectEscapedNames(verified.stdout, "verify")
        #expect(verified.stderr.hasPrefix("error: "))

        // Refused before any request: the archive does not verify.
        let mirrored = try AirgapBinary.run(["mirror", "--from", archive, "--to", "127.0.0.1:9/x", "--tls-verify=false", "--cache", directory + "/cache"])
        #expect(mirrored.status == 1)
        expectVisible(mirrored.stdout + mirrored.stderr, "mirror --from")
        #expect(mirrored.stderr.contains(#"\x1b[2J"#) || mirrored.stderr.contains(#"\x0d"#) || mirrored.stderr.contains(#"\x07"#) || mirrored.stderr.contains(#"\u{202e}"#), "\(VisibleText.escapingLines(mirrored.stderr))")
    }

    @Test func nodeScriptsAndTheirWarningsShowArchiveNamesEscaped() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/images.tar"
        try HostileNamesArchive(names: Self.names).write(to: archive)
        for command in ["load-script", "clean-script"] {
            let result = try AirgapBinary.run(["nodes", command, archive, "--nodes", "worker-0"])
            #expect(result.status == 0, "\(result.stderr)")
            // A script keeps its own tabs; nothing else hidden.
            expectVisible(result.stdout.replacingOccurrences(of: "\t", with: " ") + result.stderr, "nodes \(command)")
            #expect(result.stdout.contains(#"$'registry.example.com/esc\x1b[2J\x1b[31m:1'"#))
            #expect(result.stderr.contains("warning: "), "names that are not references are warned about")
        }
    }

    @Test func inventoryDiffShowsSnapshotNamesEscaped() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A node named by its file, and a name crictl would never list, both with controls.
        for side in ["before", "after"] { try FileManager.default.createDirectory(atPath: "\(directory)/\(side)", withIntermediateDirectories: true) }
        let node = "worker\u{1B}[2J\u{202E}-0"
        let image = #"{"id":"sha256:ID","repoTags":["TAG"],"repoDigests":[],"size":"1"}"#
        func snapshot(_ images: [(String, String)]) -> String {
            #"{"images":["# + images.map { image.replacingOccurrences(of: "ID", with: $0.0).replacingOccurrences(of: "TAG", with: $0.1) }.joined(separator: ",") + "]}"
        }
        try snapshot([("a", "docker.io/library/busybox:1.29")]).write(toFile: "\(directory)/before/\(node).json", atomically: true, encoding: .utf8)
        try snapshot([("a", "docker.io/library/busybox:1.29"), ("b", "registry.example.com/pulled:1"), ("c", #"evil\u001b[2J:1\r"#)])
            .write(toFile: "\(directory)/after/\(node).json", atomically: true, encoding: .utf8)
        for output in ["list", "bash"] {
            let result = try AirgapBinary.run(["inventory", "diff", "--before", directory + "/before", "--after", directory + "/after", "--per-node", "--output", output])
            #expect(result.status == 0, "\(result.stderr)")
            expectVisible(result.stdout + result.stderr, "inventory diff --output \(output)")
            #expect(result.stdout.contains(#"# worker\x1b[2J\u{202e}-0: 1 pulled"#), "\(VisibleText.escapingLines(result.stdout))")
            #expect(result.stderr.contains(#"evil\x1b[2J:1\x0d"#), "\(VisibleText.escapingLines(result.stderr))")
        }
        // An error quoting the snapshot's text: escaped too.
        try "images:\n\u{1B}[2Jnot crictl\n".write(toFile: "\(directory)/after/\(node).json", atomically: true, encoding: .utf8)
        let failed = try AirgapBinary.run(["inventory", "diff", "--before", directory + "/before", "--after", directory + "/after"])
        #expect(failed.status == 1)
        expectVisible(failed.stdout + failed.stderr, "inventory diff error")
        #expect(failed.stderr.contains(#"\x1b[2J"#), "\(VisibleText.escapingLines(failed.stderr))")
    }
}

/// A small dual-format archive whose images carry the given names, sound in every other respect.
struct HostileNamesArchive {
    var names: [String]

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var blobs: [Digest: Data] = [:]
        var order: [Digest] = []
        func add(_ data: Data, _ mediaType: MediaType) -> Descriptor {
            let descriptor = Descriptor(mediaType: mediaType, digest: Digest.compute(of: data), size: Int64(data.count))
            if blobs.updateValue(data, forKey: descriptor.digest) == nil { order.append(descriptor.digest) }
            return descriptor
        }
        var index: [Descriptor] = []
        var docker: [DockerArchiveEntry] = []
        for (position, name) in names.enumerated() {
            let layer = add(Data("layer \(position)".utf8), .ociLayerGzip)
            let config = add(
                try encoder.encode(ImageConfig(architecture: "amd64", os: "linux", rootfs: ImageConfig.RootFS(diffIDs: [layer.digest]))),
                .ociImageConfig)
            var manifest = add(try encoder.encode(ImageManifest(config: config, layers: [layer])), .ociImageManifest)
            manifest.annotations = [BundleLayout.refNameAnnotation: name, BundleLayout.containerdNameAnnotation: name]
            index.append(manifest)
            docker.append(DockerArchiveEntry(config: BundleLayout.blobPath(config.digest), repoTags: [name], layers: [BundleLayout.blobPath(layer.digest)]))
        }
        let writer = try TarWriter(path: path)
        try writer.addFile(BundleLayout.ociLayoutFile, contents: BundleLayout.ociLayoutContents)
        try writer.addFile(BundleLayout.ociIndexFile, contents: try encoder.encode(ImageIndex(manifests: index)))
        try writer.addFile(BundleLayout.dockerManifestFile, contents: try encoder.encode(docker))
        try writer.addDirectory(BundleLayout.blobsDirectory)
        try writer.addDirectory(BundleLayout.sha256Directory)
        for digest in order { try writer.addFile(BundleLayout.blobPath(digest), contents: blobs[digest]!) }
        try writer.finish()
    }
}
