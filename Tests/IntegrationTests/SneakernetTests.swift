import Foundation
import OCI
import Testing

/// Issue 17: archives that fit the medium (`--max-size` parts), deltas that carry only what changed
/// (`--since`), and checksums that cross the gap (`NAME.sha256`), judged by coreutils, podman,
/// dockerd, containerd and a real registry.
///
/// The images are this suite's own (``TestRegistry/pushLoadableImage(repository:tag:files:)``):
/// real tar layers of known sizes, so which layers two images share — and what a split or a delta
/// must do with them — is known exactly. Random contents keep the sizes honest.
@Suite struct SneakernetTests {
    /// Three images: `a` and `b` share `shared` (200 KiB), `c` shares nothing.
    struct ImageSet {
        let registry: TestRegistry
        let repository: String
        var a: TestRegistry.PushedImage
        var b: TestRegistry.PushedImage
        var c: TestRegistry.PushedImage
        let sharedFile: Data
        let aFile: Data

        static func push(_ label: String) async throws -> ImageSet {
            let registry = try TestRegistry.plain()
            let repository = TestRegistry.uniqueRepository(label)
            let shared = TestRegistry.randomData(200 * 1024)
            let aFile = TestRegistry.randomData(300 * 1024)
            let a = try await registry.pushLoadableImage(repository: repository + "/a", tag: "1", files: [("shared", shared), ("a", aFile)])
            let b = try await registry.pushLoadableImage(
                repository: repository + "/b", tag: "1", files: [("shared", shared), ("b", TestRegistry.randomData(300 * 1024))])
            let c = try await registry.pushLoadableImage(repository: repository + "/c", tag: "1", files: [("c", TestRegistry.randomData(300 * 1024))])
            return ImageSet(registry: registry, repository: repository, a: a, b: b, c: c, sharedFile: shared, aFile: aFile)
        }

        var names: [String] { [a, b, c].map(\.reference.description) }
    }

    private func bundle(_ sandbox: Sandbox, _ names: [String], _ extra: [String]) throws -> AirgapBinary.Result {
        try sandbox.run(["bundle"] + names + ["--tls-verify=false", "--cache", sandbox.cache()] + extra)
    }

    /// Each entry's name and size, as GNU tar lists them.
    private func entries(of archive: String) throws -> [String: Int64] {
        let output = try OracleProcess.run("tar", ["-tvf", archive])
        var entries: [String: Int64] = [:]
        for line in output.stdoutLines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let size = Int64(fields[2]) else { continue }
            entries[String(fields[5])] = size
        }
        return entries
    }

    private func fileSize(_ path: String) throws -> Int64 {
        try #require((try FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber).int64Value
    }

    // MARK: - Checksums

    @Test func theChecksumFileIsOneSha256sumCanCheck() async throws {
        let set = try await ImageSet.push("sum")
        let sandbox = try Sandbox("sum")
        defer { sandbox.remove() }
        let archive = sandbox.directory + "/images.tar"
        let run = try bundle(sandbox, [set.a.reference.description], ["-o", archive, "-q"])
        try #require(run.status == 0, "bundle: \(run.stderr)")

        let sidecar = try String(contentsOfFile: archive + ".sha256", encoding: .utf8)
        #expect(sidecar.hasSuffix("  images.tar\n"))
        let coreutils = try OracleProcess.run("sh", ["-c", "cd \(OracleProcess.shellQuoted([sandbox.directory])) && sha256sum -c images.tar.sha256"])
        #expect(coreutils.stdoutText == "images.tar: OK\n")

        let verified = try sandbox.run(["verify", archive])
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("the whole file matches \(archive).sha256"))

        // A byte of the end-of-archive padding: no blob changes, only the whole-file sum can tell.
        let handle = try #require(FileHandle(forUpdatingAtPath: archive))
        try handle.seek(toOffset: UInt64(try fileSize(archive) - 10))
        try handle.write(contentsOf: Data([0xA5]))
        try handle.close()
        let damaged = try sandbox.run(["verify", archive, "--output", "json"])
        #expect(damaged.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(damaged.stdout.utf8)) as? [String: Any]
        let codes = (report?["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes == ["checksumMismatch"], "\(damaged.stdout)")
    }

    @Test func aStaleChecksumFileNeverVouchesForANewArchive() async throws {
        let set = try await ImageSet.push("stale")
        let sandbox = try Sandbox("stale")
        defer { sandbox.remove() }
        let archive = sandbox.directory + "/images.tar"
        try Data("0000000000000000000000000000000000000000000000000000000000000000  images.tar\n".utf8)
            .write(to: URL(fileURLWithPath: archive + ".sha256"))
        let run = try bundle(sandbox, [set.c.reference.description], ["-o", archive, "-q"])
        try #require(run.status == 0, "bundle: \(run.stderr)")
        let sum = try OracleProcess.run("sha256sum", [archive]).stdoutText.prefix(64)
        #expect(try String(contentsOfFile: archive + ".sha256", encoding: .utf8) == "\(sum)  images.tar\n")
    }

    // MARK: - Parts

    @Test func partsFitTheMediumAndEachLoadsAloneInEveryLoader() async throws {
        let set = try await ImageSet.push("parts")
        let sandbox = try Sandbox("parts")
        defer { sandbox.remove() }
        let host = "parts-\(UUID().uuidString.lowercased().prefix(8)).example"
        let names = [set.a, set.b, set.c].map { "\(host)/\($0.reference.repository):1" }
        let output = sandbox.directory + "/images.tar"
        // a and b share 200 KiB and fit together in 900 KiB; c does not fit beside them.
        let run = try bundle(sandbox, names, ["--mirror", "\(host)=\(set.registry.host)", "--max-size", "900K", "-o", output])
        try #require(run.status == 0, "bundle: \(run.stderr)")
        #expect(run.stdout.contains("no layer is repeated across parts"), "\(run.stdout)")

        let parts = [sandbox.directory + "/images-1.tar", sandbox.directory + "/images-2.tar"]
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory + "/images-3.tar"))
        #expect(!FileManager.default.fileExists(atPath: output), "with --max-size only parts are written")
        var seen: [String] = []
        for part in parts {
            #expect(try fileSize(part) <= 900 * 1024, "\(part) is over --max-size")
            let verify = try sandbox.run(["verify", part])
            #expect(verify.status == 0, "\(part): \(verify.stdout)")
            let store = try Podman.load(archive: part)
            defer { store.remove() }
            seen += try store.imageNames()
        }
        #expect(seen.sorted() == names.sorted(), "every image whole in exactly one part: \(seen)")
        // The pair that shares a layer is in one part.
        let first = try Podman.load(archive: parts[0])
        defer { first.remove() }
        #expect(Set(try first.imageNames()) == Set(names[0...1]))

        let list = try sandbox.run(["verify", sandbox.directory + "/images.parts"])
        #expect(list.status == 0, "\(list.stdout)\(list.stderr)")
        #expect(list.stdout.contains("OK: all 2 parts"))

        // dockerd and containerd load each part alone too.
        defer { DockerEngine.remove(names) }
        for part in parts { try DockerEngine.load(archive: part) }
        for name in names { #expect(DockerEngine.imageID(name) != nil, "\(name) in dockerd") }
        for part in parts {
            let namespace = Containerd.uniqueNamespace()
            defer { try? Containerd.removeNamespace(namespace) }
            let imported = try Containerd.importArchive(part, namespace: namespace)
            #expect(!imported.isEmpty && Set(imported).isSubset(of: Set(names)), "\(part): \(imported)")
        }
    }

    @Test func aSplitThatMustRepeatALayerSaysHowMuch() async throws {
        let set = try await ImageSet.push("repeat")
        let sandbox = try Sandbox("repeat")
        defer { sandbox.remove() }
        let output = sandbox.directory + "/pair.tar"
        let run = try bundle(sandbox, [set.a.reference.description, set.b.reference.description], ["--max-size", "600K", "-o", output, "--output", "json"])
        try #require(run.status == 0, "bundle: \(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let added = try #require(report["splitAddedBytes"] as? Int)
        let repeated = try #require(report["repeatedBytes"] as? Int)
        // The shared layer (a 200 KiB file in a tar: 200 KiB + 1.5 KiB) is stored in both parts;
        // the second part adds its own headers and index besides.
        #expect(repeated == Int(set.sharedFileLayer.size), "repeated \(repeated)")
        #expect(added > repeated && added < repeated + 16 * 1024, "split added \(added)")
        #expect((report["archives"] as? [[String: Any]])?.count == 2)
        for part in ["pair-1.tar", "pair-2.tar"] {
            let entries = try entries(of: sandbox.directory + "/" + part)
            #expect(entries["blobs/sha256/\(set.a.layers[0].digest.encoded)"] == set.a.layers[0].size, "\(part) holds the shared layer")
        }
    }

    @Test func anImageLargerThanAPartIsNamedAndNothingIsWritten() async throws {
        let set = try await ImageSet.push("toolarge")
        let sandbox = try Sandbox("toolarge")
        defer { sandbox.remove() }
        let output = sandbox.directory + "/images.tar"
        let run = try bundle(sandbox, set.names, ["--max-size", "400K", "-o", output])
        #expect(run.status == 1)
        #expect(run.stderr.contains(set.a.reference.description) && run.stderr.contains(set.b.reference.description), "\(run.stderr)")
        #expect(!run.stderr.contains(set.c.reference.description + " ("), "c fits alone: \(run.stderr)")
        #expect(run.stderr.contains("--max-size"), "the hint names the flag: \(run.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory).filter { $0.hasPrefix("images") }
        #expect(left.isEmpty, "nothing written: \(left)")
    }

    @Test func verifyOfAPartsListNamesAMissingOrSwappedPart() async throws {
        let set = try await ImageSet.push("partsmissing")
        let sandbox = try Sandbox("partsmissing")
        defer { sandbox.remove() }
        let output = sandbox.directory + "/images.tar"
        let run = try bundle(sandbox, set.names, ["--max-size", "900K", "-o", output, "-q"])
        try #require(run.status == 0, "bundle: \(run.stderr)")
        let second = sandbox.directory + "/images-2.tar"
        try FileManager.default.moveItem(atPath: second, toPath: second + ".away")
        let missing = try sandbox.run(["verify", sandbox.directory + "/images.parts"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("images-2.tar, listed in"), "\(missing.stderr)")
        // Part 1 in part 2's place: the size or the sha256 gives it away.
        try FileManager.default.copyItem(atPath: sandbox.directory + "/images-1.tar", toPath: second)
        let swapped = try sandbox.run(["verify", sandbox.directory + "/images.parts"])
        #expect(swapped.status == 1, "\(swapped.stdout)")
    }

    @Test func aWholeSetOfPartsMirrorsInOneCommandOnlyWhenEveryPartIsThere() async throws {
        let set = try await ImageSet.push("partsmirror")
        let sandbox = try Sandbox("partsmirror")
        defer { sandbox.remove() }
        let output = sandbox.directory + "/images.tar"
        try #require(try bundle(sandbox, set.names, ["--max-size", "900K", "-o", output, "-q"]).status == 0)
        let list = sandbox.directory + "/images.parts"
        let destination = "\(set.registry.host)/\(TestRegistry.uniqueRepository("partsdest"))"

        let second = sandbox.directory + "/images-2.tar"
        try FileManager.default.moveItem(atPath: second, toPath: second + ".away")
        let refused = try sandbox.run(["mirror", "--from", list, "--to", destination, "--tls-verify=false"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("lists images-2.tar, but it is missing; nothing was pushed"), "\(refused.stderr)")
        #expect(throws: OracleError.self) {
            try Skopeo.inspect("docker://\(destination)/\(set.a.reference.repository):1", arguments: ["--tls-verify=false"])
        }

        try FileManager.default.moveItem(atPath: second + ".away", toPath: second)
        let mirrored = try sandbox.run(["mirror", "--from", list, "--to", destination, "--tls-verify=false", "-q"])
        #expect(mirrored.status == 0, "\(mirrored.stderr)")
        for image in [set.a, set.b, set.c] {
            let inspection = try Skopeo.inspect("docker://\(destination)/\(image.reference.repository):1", arguments: ["--tls-verify=false"])
            #expect(inspection.digest == image.manifest.digest.description)
        }
    }

    // MARK: - Deltas

    /// The month after: `b` gained a layer, `c` is new; `a` did not change.
    private func nextMonth(_ set: ImageSet) async throws -> TestRegistry.PushedImage {
        try await set.registry.pushLoadableImage(
            repository: set.repository + "/b", tag: "2", files: [("shared", set.sharedFile), ("b2", TestRegistry.randomData(100 * 1024))])
    }

    @Test func aDeltaLeavesOutWhatTheBaseHoldsAndPodmanLoadsItOnTopOfTheBase() async throws {
        let set = try await ImageSet.push("delta")
        let b2 = try await nextMonth(set)
        let sandbox = try Sandbox("delta")
        defer { sandbox.remove() }
        let base = sandbox.directory + "/may.tar"
        let delta = sandbox.directory + "/june.tar"
        try #require(try bundle(sandbox, [set.a, set.b].map(\.reference.description), ["-o", base, "-q"]).status == 0)
        let run = try bundle(sandbox, [set.a, b2, set.c].map(\.reference.description), ["--since", base, "-o", delta])
        try #require(run.status == 0, "bundle: \(run.stderr)")
        #expect(run.stdout.contains("delta: left out 2 layers"), "\(run.stdout)")

        // What the base holds is an empty placeholder (podman's docker-archive reader wants an
        // entry for every layer, and asks storage first); the rest is there whole.
        let entries = try entries(of: delta)
        for left in [set.a.layers[0], set.a.layers[1]] {
            #expect(entries["blobs/sha256/\(left.digest.encoded)"] == 0, "\(left.digest) is in the base")
        }
        for kept in [b2.layers[1], set.c.layers[0], b2.config, set.a.config, set.a.manifest] {
            #expect(entries["blobs/sha256/\(kept.digest.encoded)"] == kept.size, "\(kept.digest) must be in the delta")
        }
        #expect(try fileSize(delta) < 500 * 1024, "the delta carries 400 KiB of new layers")

        // verify says what it is; --base checks the pair; the wrong base is caught.
        let alone = try sandbox.run(["verify", delta])
        #expect(alone.status == 0, "\(alone.stdout)")
        #expect(alone.stdout.contains("delta of may.tar: 2 layers"), "\(alone.stdout)")
        let pair = try sandbox.run(["verify", "--base", base, delta])
        #expect(pair.status == 0 && pair.stdout.contains("each found intact in \(base)"), "\(pair.stdout)")
        let other = sandbox.directory + "/other.tar"
        try #require(try bundle(sandbox, [set.c.reference.description], ["-o", other, "-q"]).status == 0)
        let wrong = try sandbox.run(["verify", "--base", other, delta, "--output", "json"])
        #expect(wrong.status == 1)
        // Once per left-out layer, not once per image that uses it (a and b share one).
        #expect(wrong.stdout.components(separatedBy: "\"missingFromBase\"").count - 1 == 2, "\(wrong.stdout)")
        // A delta split into parts is checked against its base part by part.
        let split = sandbox.directory + "/june-split.tar"
        try #require(try bundle(sandbox, [set.a, b2, set.c].map(\.reference.description), ["--since", base, "--max-size", "400K", "-o", split, "-q"]).status == 0)
        let parts = try sandbox.run(["verify", "--base", base, sandbox.directory + "/june-split.parts"])
        #expect(parts.status == 0 && parts.stdout.contains("each found intact in \(base)"), "\(parts.stdout)")
        let partsWrong = try sandbox.run(["verify", "--base", other, sandbox.directory + "/june-split.parts"])
        #expect(partsWrong.status == 1, "\(partsWrong.stdout)")
        let inspect = try sandbox.run(["inspect", delta])
        #expect(inspect.stdout.contains("delta of may.tar"), "\(inspect.stdout)")

        // podman: the base, then the delta, in one storage: every image, with its own config.
        let store = try Podman.load(archive: base)
        defer { store.remove() }
        try store.podman(["load", "--signature-policy", store.directory + "/policy.json", "-i", delta])
        for image in [set.a, b2, set.c] {
            #expect(try store.imageID(named: image.reference.description) == image.config.digest.encoded, "\(image.reference)")
        }
        // Into an empty storage the delta cannot load: the layers it relies on are nowhere.
        let empty = try Podman.emptyStore()
        defer { empty.remove() }
        #expect(throws: OracleError.self) {
            try empty.podman(["load", "--signature-policy", empty.directory + "/policy.json", "-i", delta])
        }
    }

    @Test func mirrorFromADeltaNeedsTheBaseAtTheDestinationAndNamesWhatIsMissing() async throws {
        let set = try await ImageSet.push("deltamirror")
        let b2 = try await nextMonth(set)
        let sandbox = try Sandbox("deltamirror")
        defer { sandbox.remove() }
        let base = sandbox.directory + "/may.tar"
        let delta = sandbox.directory + "/june.tar"
        try #require(try bundle(sandbox, [set.a, set.b].map(\.reference.description), ["-o", base, "-q"]).status == 0)
        try #require(try bundle(sandbox, [set.a, b2, set.c].map(\.reference.description), ["--since", base, "-o", delta, "-q"]).status == 0)
        let destination = "\(set.registry.host)/\(TestRegistry.uniqueRepository("deltadest"))"

        let refused = try sandbox.run(["mirror", "--from", delta, "--to", destination, "--tls-verify=false"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("mirror may.tar there first"), "\(refused.stderr)")
        #expect(refused.stderr.contains(set.sharedFileLayer.digest.description), "names the missing layer: \(refused.stderr)")
        // Nothing was pushed: no manifest under any of the names.
        let newName = "\(destination)/\(set.repository)/c:1"
        #expect(throws: OracleError.self) { try Skopeo.inspect("docker://\(newName)", arguments: ["--tls-verify=false"]) }

        let full = try sandbox.run(["mirror", "--from", base, "--to", destination, "--tls-verify=false", "-q"])
        try #require(full.status == 0, "\(full.stderr)")
        let after = try sandbox.run(["mirror", "--from", delta, "--to", destination, "--tls-verify=false", "--output", "json"])
        #expect(after.status == 0, "\(after.stderr)")
        for image in [set.a, b2, set.c] {
            let name = "\(destination)/\(image.reference.repository):\(image.reference.tag!)"
            let inspection = try Skopeo.inspect("docker://\(name)", arguments: ["--tls-verify=false"])
            #expect(inspection.digest == image.manifest.digest.description, "\(name)")
        }
        // And the registry serves every layer of the new image, mounted or pushed.
        let copied = sandbox.directory + "/check"
        try Skopeo.copy(
            "docker://\(destination)/\(b2.reference.repository):2", "oci:\(copied)", arguments: ["--src-tls-verify=false"])
    }
}

extension SneakernetTests.ImageSet {
    /// The layer `a` and `b` share.
    var sharedFileLayer: Descriptor { a.layers[0] }
}
