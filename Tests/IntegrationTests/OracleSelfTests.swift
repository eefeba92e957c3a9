import Foundation
import Registry
import Testing

/// The oracles themselves, on archives written by a second tool (skopeo, plus tar for a two-image
/// docker-archive): each must accept a good archive with the right names and digests, and refuse a
/// bad one with a readable error. Expected values come from the seeded registry, not from constants.
@Suite struct OracleSelfTests {
    static let httpd = "library/httpd:2.4.38-alpine"  // Docker schema2 in the registry
    static let nginx = "library/nginx:1.14-alpine"  // OCI manifest in the registry
    static let busybox = "library/busybox:1.29"  // OCI index, linux/amd64 + linux/arm64/v8

    static func fullName(_ name: String) -> String { "docker.io/" + name }

    /// A scratch directory per test, removed by `cleanUp()`.
    let scratch: String
    let registry: String

    init() throws {
        registry = try TestServers.plainRegistry()
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-oracle-selftest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: scratch) }

    // MARK: fixtures

    /// `skopeo copy docker://REGISTRY/NAME FORMAT:FILE:docker.io/NAME`; returns FILE.
    func archive(_ name: String, format: String, file: String, all: Bool = false) throws -> String {
        let path = "\(scratch)/\(file)"
        try Skopeo.copy(
            "docker://\(registry)/\(name)", "\(format):\(path):\(Self.fullName(name))",
            arguments: ["--src-tls-verify=false"] + (all ? ["--all"] : []))
        return path
    }

    /// One docker-archive holding two images: skopeo writes one image per docker-archive, so unpack
    /// two of them into one folder (the shared base layer is the same file in both), join their
    /// manifest.json arrays and tar the folder again.
    func twoImageDockerArchive() throws -> String {
        let first = try archive(Self.httpd, format: "docker-archive", file: "httpd.tar")
        let second = try archive(Self.nginx, format: "docker-archive", file: "nginx.tar")
        let folder = "\(scratch)/merged"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var entries: [Any] = []
        for part in [first, second] {
            // Each manifest.json overwrites the previous one: read it right after extracting.
            try OracleProcess.run("tar", ["-xf", part, "-C", folder])
            let manifest = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/manifest.json"))
            entries += try #require(try JSONSerialization.jsonObject(with: manifest) as? [Any])
        }
        try? FileManager.default.removeItem(atPath: "\(folder)/repositories")
        try JSONSerialization.data(withJSONObject: entries).write(to: URL(fileURLWithPath: "\(folder)/manifest.json"))
        let members = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let path = "\(scratch)/two-images.tar"
        try OracleProcess.run("tar", ["-cf", path, "-C", folder] + members)
        return path
    }

    /// What the registry holds for NAME: its manifest (layers as pushed) and its config's diff_ids.
    func registryImage(_ name: String) throws -> (manifest: SkopeoInspection, configDigest: String, diffIDs: [String]) {
        let reference = "docker://\(registry)/\(name)"
        let manifest = try Skopeo.inspect(reference, arguments: ["--tls-verify=false"])
        let document = try #require(try JSONSerialization.jsonObject(with: manifest.rawManifest) as? [String: Any])
        let configDigest = try #require((document["config"] as? [String: Any])?["digest"] as? String)
        let config = try JSONSerialization.jsonObject(with: try Skopeo.config(reference, arguments: ["--tls-verify=false"]))
        let diffIDs = try #require(((config as? [String: Any])?["rootfs"] as? [String: Any])?["diff_ids"] as? [String])
        return (manifest, configDigest, diffIDs)
    }

    // MARK: the process runner

    @Test func aHungToolIsKilledAndAMissingToolIsNamed() throws {
        defer { cleanUp() }
        let started = ContinuousClock.now
        let hung = try #require(throws: OracleError.self) {
            try OracleProcess.run("sleep", ["30"], timeout: .seconds(1))
        }
        guard case .timedOut = hung.reason else {
            Issue.record("expected a timeout, got \(hung.reason)")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(15))

        let missing = try #require(throws: OracleError.self) {
            try OracleProcess.run("airgap-no-such-tool", [])
        }
        #expect(missing.description.contains("airgap-no-such-tool"))

        let failed = try #require(throws: OracleError.self) {
            try OracleProcess.run("sh", ["-c", "echo out; echo why >&2; exit 7"])
        }
        #expect(failed.description.contains("exited with status 7"))
        #expect(failed.stderr == "why\n")
        #expect(failed.stdout == "out\n")
    }

    // MARK: skopeo

    @Test func skopeoReadsBothArchiveFormsWithTheRegistrysLayers() throws {
        defer { cleanUp() }
        let pushed = try registryImage(Self.httpd)
        // The registry copy is what seed-images.sh pushed, read back by a second path.
        #expect(pushed.manifest.rawDigest.description == (try TestServers.seededDigest(of: Self.httpd, registry: registry)))
        #expect(pushed.diffIDs.count == 2)

        // docker-archive: layers are stored uncompressed, so they are the config's diff_ids.
        let dockerArchive = try archive(Self.httpd, format: "docker-archive", file: "httpd-docker.tar")
        let docker = try Skopeo.inspect("docker-archive:\(dockerArchive):\(Self.fullName(Self.httpd))")
        #expect(docker.layers == pushed.diffIDs)
        #expect(docker.rawDigest.description == docker.digest)
        #expect(docker.mediaType == "application/vnd.docker.distribution.manifest.v2+json")
        #expect(docker.name == "docker.io/library/httpd")
        #expect(docker.architecture == "amd64" && docker.os == "linux")

        // oci-archive: the compressed blobs are copied as they are, so the layers are the registry's.
        let ociArchive = try archive(Self.httpd, format: "oci-archive", file: "httpd-oci.tar")
        let oci = try Skopeo.inspect("oci-archive:\(ociArchive):\(Self.fullName(Self.httpd))")
        #expect(oci.layers == pushed.manifest.layers)
        #expect(oci.rawDigest.description == oci.digest)
        #expect(oci.mediaType == "application/vnd.oci.image.manifest.v1+json")
    }

    @Test func skopeoInspectFailsOnAMissingImageName() throws {
        defer { cleanUp() }
        let path = try archive(Self.httpd, format: "oci-archive", file: "httpd-oci.tar")
        let error = try #require(throws: OracleError.self) {
            try Skopeo.inspect("oci-archive:\(path):docker.io/library/not-in-the-archive:1")
        }
        #expect(error.description.contains("skopeo inspect"))
        #expect(!error.stderr.isEmpty)
    }

    // MARK: podman

    @Test func podmanLoadsADockerArchiveUnderItsFullName() throws {
        defer { cleanUp() }
        let path = try archive(Self.httpd, format: "docker-archive", file: "httpd.tar")
        let store = try Podman.load(archive: path)
        defer { store.remove() }
        let name = Self.fullName(Self.httpd)

        #expect(try store.imageNames() == [name])
        #expect(store.loadedNames == [name])
        #expect(store.exists(name))
        #expect(!store.exists(Self.fullName(Self.nginx)))
        // The image ID is the config digest: the same config as in the registry.
        #expect("sha256:" + (try store.imageID(named: name)) == (try registryImage(Self.httpd)).configDigest)
    }

    @Test func podmanLoadsEveryImageOfATwoImageDockerArchiveIntoItsOwnStorage() throws {
        defer { cleanUp() }
        let path = try twoImageDockerArchive()
        let store = try Podman.load(archive: path)
        defer { store.remove() }
        let expected = [Self.fullName(Self.httpd), Self.fullName(Self.nginx)].sorted()

        #expect(try store.imageNames() == expected)
        #expect(store.loadedNames.sorted() == expected)
        #expect("sha256:" + (try store.imageID(named: Self.fullName(Self.nginx))) == (try registryImage(Self.nginx)).configDigest)

        // A second load gets a storage of its own: it sees only its own image.
        let single = try Podman.load(archive: try archive(Self.nginx, format: "docker-archive", file: "nginx-only.tar"))
        defer { single.remove() }
        #expect(single.directory != store.directory)
        #expect(try single.imageNames() == [Self.fullName(Self.nginx)])
        #expect(!single.exists(Self.fullName(Self.httpd)))

        single.remove()
        #expect(!FileManager.default.fileExists(atPath: single.directory))
    }

    @Test func podmanRefusesAGzippedOuterArchiveAndSaysWhy() throws {
        defer { cleanUp() }
        let path = try archive(Self.httpd, format: "docker-archive", file: "httpd.tar")
        try OracleProcess.run("gzip", ["-k", path])
        let error = try #require(throws: OracleError.self) {
            try Podman.load(archive: path + ".gz")
        }
        #expect(error.description.contains("podman"))
        #expect(error.description.contains("load"))
        #expect(error.stderr.contains("invalid tar header"))
        if case .exited(let status) = error.reason { #expect(status != 0) } else { Issue.record("unexpected reason \(error.reason)") }
    }

    // MARK: dockerd

    @Test func dockerdLoadsADockerArchiveAndRefusesATruncatedOne() throws {
        defer { cleanUp() }
        // The daemon is shared by every test: names of this test's own.
        let tag = UUID().uuidString.prefix(8).lowercased()
        let good = "docker.io/airgap-oracle-selftest/httpd:\(tag)"
        let broken = "docker.io/airgap-oracle-selftest/truncated:\(tag)"
        defer { DockerEngine.remove([good, broken]) }
        let path = "\(scratch)/httpd-docker.tar"
        try Skopeo.copy("docker://\(registry)/\(Self.httpd)", "docker-archive:\(path):\(good)", arguments: ["--src-tls-verify=false"])

        #expect(try DockerEngine.load(archive: path) == ["airgap-oracle-selftest/httpd:\(tag)"])
        // The image ID is the config digest: the same config as in the registry.
        #expect(DockerEngine.imageID(good) == (try registryImage(Self.httpd)).configDigest)

        let whole = "\(scratch)/for-truncation.tar"
        try Skopeo.copy("docker://\(registry)/\(Self.nginx)", "docker-archive:\(whole):\(broken)", arguments: ["--src-tls-verify=false"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let truncated = "\(scratch)/truncated.tar"
        try bytes.prefix(bytes.count * 3 / 4).write(to: URL(fileURLWithPath: truncated))
        let error = try #require(throws: OracleError.self) { try DockerEngine.load(archive: truncated) }
        #expect(error.description.contains("docker"))
        #expect(error.description.contains("load"))
        #expect(!error.stderr.isEmpty)
        if case .exited(let status) = error.reason { #expect(status != 0) } else { Issue.record("unexpected reason \(error.reason)") }
        #expect(DockerEngine.imageID(broken) == nil)
    }

    // MARK: containerd

    @Test func containerdImportsDockerAndOCIArchivesUnderTheirFullNames() throws {
        defer { cleanUp() }
        let name = Self.fullName(Self.httpd)

        let dockerNamespace = Containerd.uniqueNamespace()
        let fromDocker = try Containerd.importArchive(
            try archive(Self.httpd, format: "docker-archive", file: "httpd-docker.tar"), namespace: dockerNamespace)
        #expect(fromDocker == [name])
        try Containerd.removeNamespace(dockerNamespace)

        let ociNamespace = Containerd.uniqueNamespace()
        let ociArchive = try archive(Self.httpd, format: "oci-archive", file: "httpd-oci.tar")
        #expect(try Containerd.importArchive(ociArchive, namespace: ociNamespace) == [name])
        // containerd keeps the archive's manifest as it is.
        let images = try Containerd.images(namespace: ociNamespace)
        let manifest = try Skopeo.inspect("oci-archive:\(ociArchive):\(name)")
        #expect(images.map(\.digest) == [manifest.rawDigest.description])
        #expect(images.first?.platforms == ["linux/amd64"])
        try Containerd.removeNamespace(ociNamespace)

        // Both namespaces are really gone.
        let left = try Containerd.ctr(["namespaces", "ls", "-q"], namespace: "default").stdoutLines
        #expect(!left.contains(dockerNamespace))
        #expect(!left.contains(ociNamespace))
    }

    @Test func containerdImportsEveryPlatformOfAnIndex() throws {
        defer { cleanUp() }
        let namespace = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(namespace) }
        let path = try archive(Self.busybox, format: "oci-archive", file: "busybox-index.tar", all: true)

        #expect(try Containerd.importArchive(path, namespace: namespace) == [Self.fullName(Self.busybox)])
        let image = try #require(try Containerd.images(namespace: namespace).first)
        #expect(image.mediaType == "application/vnd.oci.image.index.v1+json")
        #expect(image.digest == (try TestServers.seededDigest(of: Self.busybox, registry: registry)))
        #expect(image.platforms.sorted() == ["linux/amd64", "linux/arm64/v8"])
    }

    @Test func containerdRefusesATruncatedArchiveAndSaysWhy() throws {
        defer { cleanUp() }
        let path = try archive(Self.httpd, format: "docker-archive", file: "httpd.tar")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = "\(scratch)/truncated.tar"
        try bytes.prefix(bytes.count * 3 / 4).write(to: URL(fileURLWithPath: truncated))

        let namespace = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(namespace) }
        let error = try #require(throws: OracleError.self) {
            try Containerd.importArchive(truncated, namespace: namespace)
        }
        #expect(error.description.contains("ctr"))
        #expect(error.description.contains("import"))
        #expect(error.stderr.contains("unexpected EOF"))
        #expect(try Containerd.imageNames(namespace: namespace).isEmpty)
    }
}
