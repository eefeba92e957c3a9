import Foundation
import Testing

/// The README says `docker load` reads the archive: dockerd (Debian's docker.io 20.10, started by
/// test-servers.sh) judges a multi-image bundle beside podman, containerd and skopeo.
///
/// The daemon is shared by every test and has no namespaces, so the archive names its images on a
/// registry of this test's own (`docker-ID.example`, fetched from the plain test registry through
/// `bundle --mirror`): no other test loads, or removes, these names.
@Suite struct BundleDockerLoadTests {
    /// Every seeded shape: an index (bundled as its linux/amd64 image), Docker schema2, OCI, and
    /// OCI without the optional mediaType field.
    static let names = ["library/busybox:1.29", "library/httpd:2.4.38-alpine", "library/nginx:1.14-alpine", "rhel7/support-tools:latest"]

    @Test func dockerLoadsEveryImageUnderItsFullName() throws {
        let registry = try TestServers.plainRegistry()
        let id = UUID().uuidString.lowercased().prefix(8)
        let host = "docker-\(id).example"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-docker-\(id)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/images.tar"
        let names = Self.names.map { "\(host)/\($0)" }

        let bundle = try AirgapBinary.run(
            ["bundle"] + names + ["--mirror", "\(host)=\(registry)", "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", archive])
        try #require(bundle.status == 0, "bundle: \(bundle.stderr)")

        defer { DockerEngine.remove(names) }
        let loaded = try DockerEngine.load(archive: archive)
        #expect(Set(loaded) == Set(names), "docker load said: \(loaded)")

        // Each image under its name, with the image ID podman gives the same archive: the config.
        let podman = try Podman.load(archive: archive)
        defer { podman.remove() }
        for name in names {
            let expected = "sha256:" + (try podman.imageID(named: name))
            #expect(DockerEngine.imageID(name) == expected, "\(name) in dockerd")
        }
    }
}
