import Foundation
import OCI
import Testing

/// What each real loader does with a delta (`bundle --since`): an archive whose index and manifests
/// are whole but which leaves out the layers its base archive holds. Measured with podman 4.3 (vfs),
/// dockerd 20.10 and containerd 1.6 (`ctr`); RELIABILITY.md ("Deltas and the loaders") has the table.
///
/// Every archive comes from ``DeltaFixture``: real gzip layers, file contents of the test's own, so
/// no other test's images share a layer with them.
@Suite struct DeltaLoaderTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-delta-\(UUID().uuidString.prefix(8))").path

    /// Runs `body`, which must fail with the tool's own non-zero exit; returns that failure.
    func loaderFailure(_ what: String, _ body: () throws -> Void) -> OracleError? {
        do {
            try body()
            Issue.record("\(what) succeeded; it was expected to fail")
            return nil
        } catch let error as OracleError {
            guard case .exited(let status) = error.reason, status != 0 else {
                Issue.record("\(what) did not fail by its exit status: \(error)")
                return nil
            }
            return error
        } catch {
            Issue.record("\(what): \(error)")
            return nil
        }
    }

    // MARK: - podman 4.3

    @Test func podmanLoadsADeltaOverItsBaseInOneLoad() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }

        // The base has two images, so podman loads it through its docker view: its storage knows
        // the layers by diff_id only. The delta's docker view asks storage by diff_id before it
        // reads a layer's entry, so the empty placeholders are never read.
        let store = try Podman.load(archive: fixture.base)
        defer { store.remove() }
        try store.podman(["load", "--signature-policy", store.signaturePolicy, "-i", fixture.delta])
        for name in fixture.deltaNames {
            #expect(try store.imageID(named: name) == fixture.podmanID(name), "\(name), with its own config")
        }

        // One image: podman tries the OCI view first, which asks by compressed digest, reads the
        // placeholder and fails its digest check; then the docker view loads it. A left-out layer
        // is reused by diff_id whatever sits below it (new:1's lib, on a parent the base lacks).
        let other = try Podman.load(archive: fixture.base)
        defer { other.remove() }
        for (archive, name) in [(fixture.single, fixture.app2), (fixture.reparented, fixture.new1)] {
            try other.podman(["load", "--signature-policy", other.signaturePolicy, "-i", archive])
            #expect(try other.imageID(named: name) == fixture.podmanID(name), "\(name)")
        }
    }

    @Test func podmanLoadFailsOnADeltaWithoutItsBaseAndLoadsNothing() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }
        let empty = try Podman.emptyStore()
        defer { empty.remove() }

        for archive in [fixture.delta, fixture.single] {
            let failure = loaderFailure("podman load of \(archive) into an empty storage") {
                try empty.podman(["load", "--signature-policy", empty.signaturePolicy, "-i", archive])
            }
            // Each view read a placeholder: the sha256 of no bytes.
            #expect(failure?.stderr.contains("Digest did not match") == true, "\(failure?.stderr ?? "")")
            #expect(failure?.stderr.contains("got \(Digest.compute(of: Data()))") == true)
            #expect(try empty.images().isEmpty, "nothing loaded")
        }
    }

    @Test func podmanLoadKeepsTheImagesItLoadedBeforeALayerWasMissing() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }
        let store = try Podman.load(archive: fixture.base)
        defer { store.remove() }
        // Without tool:1 its own layer is gone; app:1 still holds os and lib.
        try store.podman(["rmi", fixture.tool1])

        let failure = loaderFailure("podman load of a delta over part of its base") {
            try store.podman(["load", "--signature-policy", store.signaturePolicy, "-i", fixture.delta])
        }
        #expect(failure?.stderr.contains("Digest did not match") == true, "\(failure?.stderr ?? "")")
        // podman loads image after image: app:2 is in, tool:1 is not. Why `nodes` checks first.
        #expect(try store.imageID(named: fixture.app2) == fixture.podmanID(fixture.app2))
        #expect(!store.exists(fixture.tool1))
    }

    @Test func podmansOCIViewFindsALeftOutLayerByItsCompressedDigestOnly() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }
        let store = try Podman.load(archive: fixture.base)
        defer { store.remove() }

        // `podman pull oci-archive:PATH:NAME` reads one image through the OCI view, which looks a
        // layer up by its compressed digest (or by the diff_id podman's blob-info cache maps it to,
        // a cache of the host's, which has never seen these layers). A base loaded through the docker
        // view recorded neither, so the placeholder is read: why `nodes` loads deltas with podman
        // load, and checks diff_ids.
        let failure = loaderFailure("podman pull from a delta's OCI view over a base loaded through its docker view") {
            try store.podman(["pull", "-q", "--signature-policy", store.signaturePolicy, "oci-archive:\(fixture.delta):\(fixture.app2)"])
        }
        #expect(failure?.stderr.contains("Digest did not match") == true, "\(failure?.stderr ?? "")")
        #expect(!store.exists(fixture.app2))
    }

    // MARK: - dockerd 20.10

    @Test func dockerLoadsADeltaOverItsBaseWhenEachLeftOutLayerKeepsItsParents() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }
        defer { DockerEngine.remove(fixture.allNames) }

        try DockerEngine.load(archive: fixture.base)
        let loaded = try DockerEngine.load(archive: fixture.delta)
        #expect(Set(loaded) == Set(fixture.deltaNames), "docker load said: \(loaded)")
        for name in fixture.deltaNames {
            #expect(DockerEngine.imageID(name) == fixture.configs[name]?.description, "\(name)")
        }

        // docker reuses a layer only with the same layers below it (its chain ID): new:1's lib sits
        // on new-os, which the base never had, so docker reads lib's placeholder, which is empty.
        let failure = loaderFailure("docker load of a delta whose left-out layer has a new parent") {
            try DockerEngine.load(archive: fixture.reparented)
        }
        #expect(failure?.stderr.contains("invalid diffID for layer 1") == true, "\(failure?.stderr ?? "")")
        #expect(DockerEngine.imageID(fixture.new1) == nil)
    }

    @Test func dockerLoadFailsOnADeltaWithoutItsBase() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }
        defer { DockerEngine.remove(fixture.allNames) }

        let failure = loaderFailure("docker load of a delta without its base") { try DockerEngine.load(archive: fixture.delta) }
        #expect(failure?.stderr.contains("invalid diffID for layer 0") == true, "\(failure?.stderr ?? "")")
        for name in fixture.deltaNames {
            #expect(DockerEngine.imageID(name) == nil, "\(name) is not loaded")
        }
    }

    // MARK: - containerd 1.6 (ctr images import)

    @Test func ctrImportsADeltaIntoANamespaceHoldingItsBase() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }
        let namespace = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(namespace) }

        try Containerd.importArchive(fixture.base, namespace: namespace)
        try Containerd.importArchive(fixture.delta, namespace: namespace)
        // containerd finds a layer by its compressed digest in the content store, whatever its parent.
        try Containerd.importArchive(fixture.reparented, namespace: namespace)
        let images = Dictionary(uniqueKeysWithValues: try Containerd.images(namespace: namespace).map { ($0.name, $0.digest) })
        for name in fixture.allNames {
            #expect(images[name] == fixture.manifests[name]?.description, "\(name)")
        }
        #expect(try Containerd.contentStatus(namespace: namespace).values.allSatisfy { $0 == "complete" })
    }

    @Test func ctrImportOfADeltaIntoAnEmptyNamespaceLeavesIncompleteImages() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }

        // containerd passes over the empty placeholders (none enters the content store). Unpacking
        // fails on the first left-out layer, but the image records were created before.
        let unpacked = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(unpacked) }
        let failure = loaderFailure("ctr images import of a delta into an empty namespace") {
            try Containerd.importArchive(fixture.delta, namespace: unpacked)
        }
        #expect(failure?.stderr.contains("not found") == true, "\(failure?.stderr ?? "")")
        #expect(try Containerd.imageNames(namespace: unpacked) == fixture.deltaNames.sorted())
        #expect(try Containerd.contentStatus(namespace: unpacked).values.allSatisfy { $0 == "incomplete" })

        // Without unpacking, ctr says nothing at all: exit 0, and the images are incomplete.
        let packed = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(packed) }
        #expect(try Containerd.importArchive(fixture.delta, namespace: packed, unpack: false) == fixture.deltaNames.sorted())
        #expect(try Containerd.contentStatus(namespace: packed).values.allSatisfy { $0 == "incomplete" })
    }

    @Test func ctrNeedsTheBasesContentNotItsImages() async throws {
        let fixture = try await DeltaFixture.make(in: directory)
        defer { fixture.remove() }

        // The base's images removed (and garbage-collected, --sync): its layers went with them.
        let removed = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(removed) }
        try Containerd.importArchive(fixture.base, namespace: removed)
        try Containerd.ctr(["images", "rm", "--sync"] + fixture.baseNames, namespace: removed)
        _ = loaderFailure("ctr images import of a delta after its base's images were removed") {
            try Containerd.importArchive(fixture.delta, namespace: removed)
        }

        // The base's images removed but its layers kept (a gc.root label on each: only on layers,
        // which the images hold until then, so garbage collection cannot take one meanwhile).
        let kept = Containerd.uniqueNamespace()
        defer { try? Containerd.removeNamespace(kept) }
        try Containerd.importArchive(fixture.base, namespace: kept)
        let layers = try Containerd.ctr(["content", "ls"], namespace: kept).stdoutLines
            .filter { $0.contains("containerd.io/uncompressed=") }
            .compactMap { $0.split(whereSeparator: \.isWhitespace).first.map(String.init) }
        #expect(layers.count == 4, "os, lib, app-1, tool-1")
        for digest in layers {
            try Containerd.ctr(["content", "label", digest, "containerd.io/gc.root=kept"], namespace: kept)
        }
        try Containerd.ctr(["images", "rm", "--sync"] + fixture.baseNames, namespace: kept)
        #expect(try Containerd.imageNames(namespace: kept).isEmpty)
        try Containerd.importArchive(fixture.delta, namespace: kept)
        #expect(try Containerd.contentStatus(namespace: kept) == [fixture.app2: "complete", fixture.tool1: "complete"])
        // An empty value removes the label: garbage collection may have them again.
        for digest in layers {
            try Containerd.ctr(["content", "label", digest, "containerd.io/gc.root="], namespace: kept)
        }
    }
}
