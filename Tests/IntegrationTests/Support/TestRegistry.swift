import Foundation
import OCI
import Testing

@testable import Registry

/// Direct access to the plain test registry for tests that need images of their own: push
/// synthetic images into a repository no other test uses, read the registry's access log, and
/// corrupt a blob in its filesystem storage (a registry serving wrong bytes, for real).
struct TestRegistry {
    let host: String
    let transport = HTTPTransport()

    static func plain() throws -> TestRegistry {
        TestRegistry(host: try TestServers.plainRegistry())
    }

    /// A repository name no other test touches.
    static func uniqueRepository(_ label: String) -> String {
        "test-\(label)/\(UUID().uuidString.lowercased().prefix(12))"
    }

    struct PushedImage {
        var reference: ImageReference
        var manifest: Descriptor
        var config: Descriptor
        var layers: [Descriptor]
        /// The config's `rootfs.diff_ids`, when the test built the layers itself.
        var diffIDs: [Digest] = []
    }

    /// Pushes an OCI image whose layers are `layers` (arbitrary bytes: only airgap reads them).
    func pushImage(repository: String, tag: String, layers: [Data]) async throws -> PushedImage {
        var layerDescriptors: [Descriptor] = []
        for layer in layers {
            layerDescriptors.append(try await pushBlob(layer, repository: repository, mediaType: .ociLayerGzip))
        }
        let diffIDs = layerDescriptors.map { "\"\($0.digest)\"" }.joined(separator: ",")
        let configJSON = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[\#(diffIDs)]}}"#.utf8)
        return try await pushManifest(repository: repository, tag: tag, config: configJSON, layers: layerDescriptors)
    }

    /// Pushes `config` as the image config and an OCI manifest listing it and `layers` (pushed
    /// already) under `tag`.
    func pushManifest(repository: String, tag: String, config configJSON: Data, layers: [Descriptor]) async throws -> PushedImage {
        let config = try await pushBlob(configJSON, repository: repository, mediaType: .ociImageConfig)
        let layerJSON = layers.map { #"{"mediaType":"\#($0.mediaType)","digest":"\#($0.digest)","size":\#($0.size)}"# }
        let manifestJSON = Data(#"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(config.digest)","size":\#(config.size)},"layers":[\#(layerJSON.joined(separator: ","))]}
            """#.utf8)
        let put = HTTPRequest(
            method: .put, url: URL(string: "http://\(host)/v2/\(repository)/manifests/\(tag)")!,
            headers: ["Content-Type": MediaType.ociImageManifest.rawValue], body: .bytes(manifestJSON), allowsPlainHTTP: true
        )
        let response = try await transport.send(put)
        #expect(response.status == 201, "manifest PUT: \(String(decoding: response.errorBody, as: UTF8.self))")
        let manifest = Descriptor(mediaType: .ociImageManifest, digest: Digest.compute(of: manifestJSON), size: Int64(manifestJSON.count))
        return PushedImage(reference: try ImageReference("\(host)/\(repository):\(tag)"), manifest: manifest, config: config, layers: layers)
    }

    func pushBlob(_ data: Data, repository: String, mediaType: MediaType) async throws -> Descriptor {
        let digest = Digest.compute(of: data)
        let start = HTTPRequest(method: .post, url: URL(string: "http://\(host)/v2/\(repository)/blobs/uploads/")!, allowsPlainHTTP: true)
        let started = try await transport.send(start)
        let location = try #require(started.headers["Location"])
        let resolved = try #require(URL(string: location, relativeTo: start.url)).absoluteURL
        var parts = try #require(URLComponents(url: resolved, resolvingAgainstBaseURL: true))
        parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        let put = HTTPRequest(method: .put, url: try #require(parts.url), body: .bytes(data), allowsPlainHTTP: true)
        let response = try await transport.send(put)
        #expect(response.status == 201)
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Incompressible bytes, so sizes mean what they say.
    static func randomData(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The registry's access log lines that mention `fragment` (a repository path, usually).
    func accessLog(containing fragment: String) throws -> [String] {
        let log = try String(contentsOfFile: TestServers.stateDirectory + "/plain/log", encoding: .utf8)
        return log.split(separator: "\n").map(String.init).filter { $0.contains(fragment) && $0.contains("\"") && !$0.hasPrefix("time=") }
    }

    /// Flips one byte of a blob in the registry's storage: from now on it serves wrong content.
    func corruptBlob(_ digest: Digest) throws {
        let hex = digest.encoded
        let path = "\(TestServers.stateDirectory)/plain/data/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
        let handle = try #require(FileHandle(forUpdatingAtPath: path), "no blob file at \(path)")
        defer { try? handle.close() }
        let first = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data([first[0] ^ 0xFF]))
    }
}

extension TestRegistry {
    /// Pushes an image podman, docker and containerd can load: each layer a real tar holding one
    /// file, `files[i]`, with the given contents; the config's diff_ids are the tars' digests. With
    /// `gzipped`, each layer is stored gzip-compressed (`gzip -n`), as registries serve them, so a
    /// layer's digest is not its diff_id; otherwise the two are the same.
    func pushLoadableImage(
        repository: String, tag: String, files: [(name: String, contents: Data)], gzipped: Bool = false
    ) async throws -> PushedImage {
        var layers: [Descriptor] = []
        var diffIDs: [Digest] = []
        for file in files {
            let tar = Self.tarBytes(name: file.name, contents: file.contents)
            diffIDs.append(Digest.compute(of: tar))
            layers.append(
                try await pushBlob(gzipped ? try Self.gzip(tar) : tar, repository: repository, mediaType: gzipped ? .ociLayerGzip : .ociLayer))
        }
        let diffIDList = diffIDs.map { "\"\($0)\"" }.joined(separator: ",")
        let configJSON = Data(#"""
            {"architecture":"amd64","os":"linux","config":{"Cmd":["/\#(files.last?.name ?? "none")"]},"rootfs":{"type":"layers","diff_ids":[\#(diffIDList)]}}
            """#.utf8)
        var image = try await pushManifest(repository: repository, tag: tag, config: configJSON, layers: layers)
        image.diffIDs = diffIDs
        return image
    }

    /// `gzip -n` of `data` (no name, no time stamp: the same bytes give the same blob).
    static func gzip(_ data: Data) throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-layer-\(UUID().uuidString).tar")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try OracleProcess.run("gzip", ["-n", "-c", file.path]).stdout
    }

    /// A ustar archive of one regular file: a 512-byte header, the contents padded to 512, and
    /// the two zero records that end a tar.
    static func tarBytes(name: String, contents: Data) -> Data {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000644\0", at: 100)
        put("0000000\0", at: 108)
        put("0000000\0", at: 116)
        put(String(format: "%011o", contents.count) + "\0", at: 124)
        put("00000000000\0", at: 136)
        put("0", at: 156)
        put("ustar\0", at: 257)
        put("00", at: 263)
        put("        ", at: 148)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", checksum) + "\0 ", at: 148)
        var data = Data(header)
        data.append(contents)
        data.append(Data(count: (512 - contents.count % 512) % 512 + 1024))
        return data
    }
}
