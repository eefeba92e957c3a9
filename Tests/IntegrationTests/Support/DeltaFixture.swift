import Foundation
import OCI
import Testing

/// A base archive and deltas of it (`bundle --since`), bundled by the airgap binary from images
/// pushed to the plain test registry for one test. Layers are gzip-compressed, as registries serve
/// them, so a layer's digest is not its diff_id; every file's contents carry the fixture's own id,
/// so no other test's images share a layer with these.
///
///     base.tar        app:1  = [os, lib, app-1]      tool:1 = [os, tool-1]
///     delta.tar       app:2  = [os, lib, app-2]      tool:1               (--since base.tar)
///                     os and lib left out of app:2; every layer of tool:1 left out
///     single.tar      app:2 alone                                        (--since base.tar)
///     reparented.tar  new:1  = [new-os, lib]                             (--since base.tar)
///                     lib left out, and in this image it sits on a parent the base does not have
struct DeltaFixture {
    let directory: String
    /// Full names, `REGISTRY/test-delta-…/uuid/app:1` and so on.
    let app1: String, tool1: String, app2: String, new1: String
    /// Each name's config digest: the image ID podman and docker give it.
    let configs: [String: Digest]
    /// Each name's manifest digest: what containerd records.
    let manifests: [String: Digest]
    /// The diff_ids of the layers each delta left out, as the base's configs name them.
    let leftOutDiffIDs: [String: [Digest]]

    var base: String { directory + "/base.tar" }
    var delta: String { directory + "/delta.tar" }
    var single: String { directory + "/single.tar" }
    var reparented: String { directory + "/reparented.tar" }

    var baseNames: [String] { [app1, tool1] }
    var deltaNames: [String] { [app2, tool1] }
    var allNames: [String] { [app1, tool1, app2, new1] }

    /// Pushes the images and bundles the four archives into `directory` (created if needed).
    static func make(in directory: String, label: String = "delta") async throws -> DeltaFixture {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository(label)
        let id = UUID().uuidString
        func file(_ name: String) -> (name: String, contents: Data) { (name, Data("\(name) of \(id)\n".utf8)) }
        func push(_ name: String, _ tag: String, _ files: [String]) async throws -> TestRegistry.PushedImage {
            try await registry.pushLoadableImage(repository: "\(repository)/\(name)", tag: tag, files: files.map(file), gzipped: true)
        }
        let pushed = [
            try await push("app", "1", ["os", "lib", "app-1"]), try await push("tool", "1", ["os", "tool-1"]),
            try await push("app", "2", ["os", "lib", "app-2"]), try await push("new", "1", ["new-os", "lib"]),
        ]
        let names = pushed.map(\.reference.description)
        let fixture = DeltaFixture(
            directory: directory, app1: names[0], tool1: names[1], app2: names[2], new1: names[3],
            configs: Dictionary(uniqueKeysWithValues: zip(names, pushed.map(\.config.digest))),
            manifests: Dictionary(uniqueKeysWithValues: zip(names, pushed.map(\.manifest.digest))),
            leftOutDiffIDs: [
                "delta.tar": [pushed[2].diffIDs[0], pushed[2].diffIDs[1], pushed[1].diffIDs[1]],
                "single.tar": [pushed[2].diffIDs[0], pushed[2].diffIDs[1]],
                "reparented.tar": [pushed[3].diffIDs[1]],
            ])
        try fixture.bundle(fixture.baseNames, to: fixture.base)
        try fixture.bundle(fixture.deltaNames, to: fixture.delta, since: fixture.base)
        try fixture.bundle([fixture.app2], to: fixture.single, since: fixture.base)
        try fixture.bundle([fixture.new1], to: fixture.reparented, since: fixture.base)
        return fixture
    }

    /// `airgap bundle NAMES [--since BASE] -o PATH` from the plain registry.
    func bundle(_ names: [String], to path: String, since base: String? = nil) throws {
        let since = base.map { ["--since", $0] } ?? []
        let result = try AirgapBinary.run(
            ["bundle"] + names + since + ["--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", path])
        try #require(result.status == 0, "airgap bundle \(path): \(result.stderr)")
    }

    /// The image ID podman shows for `name` (config digest hex).
    func podmanID(_ name: String) -> String? { configs[name]?.encoded }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
