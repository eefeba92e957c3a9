import Foundation
import OCI
import Registry
import Testing
import Yams

/// The disconnected path as a lab engineer walks it (issue 14), through the binary and judged by
/// podman: `bundle` on the connected side, `verify`, `mirror --from` into the lab registry with
/// `--mirror-sets`, and a pull by the image's original name that only the mirror can serve.
///
/// The original names are on a registry that does not resolve (`original-ID.example`, a reserved
/// name): `bundle --mirror` fetches them from the plain test registry but keeps those names in the
/// archive, as a bundle of docker.io images keeps docker.io names. So when podman, given the
/// registries.conf fragment, pulls `original-ID.example/library/busybox:1.29`, the bytes can only
/// have come from the lab registry (the htpasswd one over https: credentials and a private CA, as
/// a lab has them).
@Suite struct DisconnectedPathTests {
    /// Seeded images: an index (linux/amd64 + linux/arm64), a Docker schema2 image, two OCI images.
    static let names = ["library/busybox:1.29", "library/httpd:2.4.38-alpine", "library/nginx:1.14-alpine", "pause:3.2"]
    /// The ones podman pulls: the index and a plain (schema2) image.
    static let pulled = ["library/busybox:1.29", "library/httpd:2.4.38-alpine"]

    @Test func bundleVerifyMirrorIntoTheLabAndPullByTheOriginalName() throws {
        let source = try TestServers.plainRegistry()
        let lab = try TestServers.authRegistry()
        let user = try TestServers.authUser(), password = try TestServers.authPassword()
        let certDir = try TestServers.certDir()
        let id = UUID().uuidString.lowercased().prefix(8)
        let original = "original-\(id).example"
        let prefix = "lab-\(id)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-disconnected-\(id)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/images.tar", sets = directory + "/sets"

        // The connected side: every platform of the index, under the original names.
        let bundle = try AirgapBinary.run(
            ["bundle"] + Self.names.map { "\(original)/\($0)" } + [
                "--all-platforms", "--mirror", "\(original)=\(source)", "--tls-verify=false", "-q",
                "--cache", directory + "/connected-cache", "-o", archive,
            ])
        try #require(bundle.status == 0, "bundle: \(bundle.stderr)")
        let verify = try AirgapBinary.run(["verify", archive])
        try #require(verify.status == 0, "verify: \(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("OK: 4 images"), "\(verify.stdout)")

        // The lab side: a cache of its own, no route to the source.
        let mirror = try AirgapBinary.run([
            "mirror", "--from", archive, "--to", "\(lab)/\(prefix)", "--mirror-sets", sets,
            "--dest-creds", "\(user):\(password)", "--dest-cert-dir", certDir, "--cache", directory + "/lab-cache",
        ])
        try #require(mirror.status == 0, "mirror: \(mirror.stdout)\(mirror.stderr)")

        // The sets name every image of the archive, each mirrored to the lab under the prefix.
        let repositories = Self.names.map { String($0.prefix { $0 != ":" }) }.sorted()
        let expected = repositories.map { ["source": "\(original)/\($0)", "mirror": "\(lab)/\(prefix)/\($0)"] }
        for (file, kind, key) in [
            ("imagedigestmirrorset.yaml", "ImageDigestMirrorSet", "imageDigestMirrors"),
            ("imagetagmirrorset.yaml", "ImageTagMirrorSet", "imageTagMirrors"),
        ] {
            let text = try String(contentsOfFile: "\(sets)/\(file)", encoding: .utf8)
            let yaml = try #require(try Yams.load(yaml: text) as? [String: Any], "\(file): \(text)")
            #expect(yaml["kind"] as? String == kind)
            let entries = (yaml["spec"] as? [String: Any])?[key] as? [[String: Any]] ?? []
            #expect(entries.map { $0["source"] as? String } == expected.map { $0["source"] }, "\(file): \(text)")
            #expect(entries.map { $0["mirrors"] as? [String] } == expected.map { [$0["mirror"]!] }, "\(file): \(text)")
        }
        let fragment = try String(contentsOfFile: sets + "/registries.conf", encoding: .utf8)
        let configuration = try RegistriesConfiguration(parsing: fragment, file: "registries.conf")
        for name in Self.names {
            let sources = try configuration.pullSources(for: try ImageReference("\(original)/\(name)"))
            #expect(sources.map(\.reference.description) == ["\(lab)/\(prefix)/\(name)", "\(original)/\(name)"], "\(fragment)")
        }

        // A node: podman with that registries.conf pulls by the original name, from the mirror.
        let podman = try Podman.emptyStore()
        defer { podman.remove() }
        try Data(fragment.utf8).write(to: URL(fileURLWithPath: podman.registriesConf))
        for name in Self.pulled {
            try podman.podman(
                // The lab's credentials in an auth file, as a node's pull secret has them: podman
                // 4.3's --creds did not reach the mirror here ("unauthorized" from the lab).
                ["pull", "--signature-policy", podman.signaturePolicy, "--cert-dir", certDir, "--authfile", try TestServers.authFile(),
                 "-q", "\(original)/\(name)"],
                timeout: .seconds(180))
        }
        let images = try podman.images()
        for name in Self.pulled {
            let image = try #require(images.first { $0.names.contains("\(original)/\(name)") }, "podman has \(images.map(\.names))")
            // The digest the source registry serves: the lab kept the bytes, so podman sees the same.
            let seeded = try TestServers.seededDigest(of: name, registry: source)
            let digests = [image.digest] + image.repoDigests.map { String($0.drop { $0 != "@" }.dropFirst()) }
            #expect(digests.contains(seeded), "\(name): podman has \(digests), the source serves \(seeded)")
        }
    }
}
