import Archive
import Foundation
import Nodes
import OCI
import Registry
import Testing

/// `airgap nodes` against the real podman (vfs storage, isolated per node by Oracles' PodmanStore),
/// with archives bundled from the seeded test registry by the airgap binary.
///
/// There is no OpenShift cluster here. The node side runs on this host as a stand-in node
/// (`AIRGAP_THIS_HOST=1`), or on stand-in nodes reached through stand-in `oc` and `scp` executables
/// on PATH (testdata/nodes/bin): TEST DOUBLES that act on local directories, not on a cluster
/// (testdata/nodes/README.md). What is real: the archives, podman, sha256sum, bash, and the scripts
/// and commands airgap generates and runs.
@Suite struct NodesTests {
    /// Two images to bring to the nodes, and one that must survive every clean-up.
    static let archived = ["pause:3.2", "library/busybox:1.29"]
    static let unrelated = "library/nginx:1.14-alpine"

    let registry: String
    let scratch: String

    init() throws {
        registry = try TestServers.plainRegistry()
        // Short: it appears in every command line and message, and the stand-in nodes live here.
        scratch = "/tmp/agi-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: scratch) }

    var archivedNames: [String] { Self.archived.map { "\(registry)/\($0)" } }
    var unrelatedName: String { "\(registry)/\(Self.unrelated)" }

    /// `airgap bundle` of `names` from the test registry into `file`.
    func bundle(_ names: [String], to file: String) throws -> String {
        let path = scratch + "/" + file
        let result = try AirgapBinary.run(
            ["bundle"] + names.map { "\(registry)/\($0)" } + ["--tls-verify=false", "-q", "--cache", scratch + "/cache", "-o", path])
        try #require(result.status == 0, "airgap bundle: \(result.stderr)")
        return path
    }

    /// A stand-in node: a directory whose `storage` file names a PodmanStore that already holds the
    /// unrelated image (loaded by Oracles' `Podman.load`, the same storage the vfs podman wrapper uses).
    func standInNode(_ name: String, unrelatedArchive: String) throws -> (directory: String, store: PodmanStore) {
        let directory = scratch + "/cluster/nodes/" + name
        try FileManager.default.createDirectory(atPath: directory + "/var/tmp", withIntermediateDirectories: true)
        let store = try Podman.load(archive: unrelatedArchive)
        try Data(store.directory.utf8).write(to: URL(fileURLWithPath: directory + "/storage"))
        let number = (try FileManager.default.contentsOfDirectory(atPath: scratch + "/cluster/nodes")).count
        try Data("10.0.0.\(number)\n".utf8).write(to: URL(fileURLWithPath: directory + "/address"))
        try Data().write(to: URL(fileURLWithPath: directory + "/labels"))
        return (directory, store)
    }

    static let testdata = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("testdata/nodes").path

    /// The environment of a stand-in cluster: stand-in oc and scp first on PATH, the nodes' podman
    /// (the real one, through the vfs wrapper) in the cluster's bin.
    func clusterEnvironment() throws -> [String: String] {
        let bin = scratch + "/cluster/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: bin + "/podman") {
            try FileManager.default.copyItem(atPath: Self.testdata + "/podman-vfs/podman", toPath: bin + "/podman")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "\(Self.testdata)/bin:\(bin):" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["AIRGAP_STANDIN_CLUSTER"] = scratch + "/cluster"
        _ = FileManager.default.createFile(atPath: scratch + "/cluster/calls.log", contents: nil)
        return environment
    }

    /// Runs `script` with bash in the scratch directory (where the archives are); a non-zero exit is
    /// returned, not thrown.
    func runScript(_ script: String, environment: [String: String]) throws -> (status: Int32, output: String) {
        let path = scratch + "/script-\(UUID().uuidString.prefix(8)).sh"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        do {
            let output = try OracleProcess.run(
                "bash", ["-c", "cd \"$1\" && exec bash \"$2\" 2>&1", "bash", scratch, path], environment: environment)
            return (0, output.stdoutText)
        } catch let error as OracleError {
            guard case .exited(let status) = error.reason else { throw error }
            return (status, error.stdout)
        }
    }

    static func shellcheck(_ script: String, in directory: String) throws {
        let path = directory + "/shellcheck-\(UUID().uuidString.prefix(8)).sh"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        do {
            try OracleProcess.run("shellcheck", ["--shell=bash", "--severity=style", path])
        } catch let error as OracleError {
            Issue.record("shellcheck: \(error.stdout)")
        }
    }

    /// The podman calls made on a node, from the vfs wrapper's log.
    static func podmanCalls(_ node: String) throws -> [[String]] {
        guard let text = try? String(contentsOfFile: node + "/podman.log", encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) }
    }

    // MARK: - The node side, on this host, against the real podman

    @Test func theGeneratedNodeSideLoadsIntoRealPodmanSkipsTheSecondTimeAndCleansUpExactly() throws {
        defer { cleanUp() }
        let archive = try bundle(Self.archived, to: "images.tar")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        let node = try standInNode("here", unrelatedArchive: unrelated)
        defer { node.store.remove() }

        var facts = try NodeArchive.read(path: archive)
        #expect(facts.images == archivedNames, "names from the archive")
        facts.path = "images.tar"
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "\(Self.testdata)/podman-vfs:" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["AIRGAP_THIS_HOST"] = "1"
        environment["AIRGAP_STANDIN_NODE"] = node.directory
        environment["TMPDIR"] = node.directory + "/var/tmp"

        let load = NodeScript.load(facts, options: NodeScriptOptions())
        try Self.shellcheck(load, in: scratch)
        let first = try runScript(load, environment: environment)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("this host: loaded 2 images"))
        #expect(try node.store.imageNames() == (archivedNames + [unrelatedName]).sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: node.directory + "/var/tmp").isEmpty, "the copy is removed")

        let second = try runScript(load, environment: environment)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("this host: skipped, every image is present"))
        #expect(try Self.podmanCalls(node.directory).filter { $0.first == "load" }.count == 1, "podman load ran once")

        let clean = NodeScript.clean(facts, options: NodeScriptOptions())
        try Self.shellcheck(clean, in: scratch)
        let cleaned = try runScript(clean, environment: environment)
        #expect(cleaned.status == 0, "\(cleaned.output)")
        #expect(cleaned.output.contains("this host: removed 2, absent 0"))
        #expect(try node.store.imageNames() == [unrelatedName], "only the archive's images are gone")
    }

    @Test func aDamagedArchiveIsNeverLoaded() throws {
        defer { cleanUp() }
        let archive = try bundle(Self.archived, to: "images.tar")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        let node = try standInNode("here", unrelatedArchive: unrelated)
        defer { node.store.remove() }
        let script = NodeScript.load(try NodeArchive.read(path: archive), options: NodeScriptOptions())
        // One byte changed after the script was generated: the sha256 check refuses it here already.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: archive))
        try handle.seek(toOffset: 2000)
        try handle.write(contentsOf: Data([0x55]))
        try handle.close()
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "\(Self.testdata)/podman-vfs:" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["AIRGAP_THIS_HOST"] = "1"
        environment["AIRGAP_STANDIN_NODE"] = node.directory
        let result = try runScript(script, environment: environment)
        #expect(result.status == 1)
        #expect(result.output.contains("it is not the archive this script was generated for"))
        #expect(try node.store.imageNames() == [unrelatedName])
    }

    // MARK: - The binary (`airgap nodes …`), against stand-in oc and scp, real podman on each node

    @Test func nodesRunLoadsSkipsAndCleansUpTwoStandInNodes() throws {
        defer { cleanUp() }
        let archive = try bundle(Self.archived, to: "images.tar")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        let a = try standInNode("a", unrelatedArchive: unrelated)
        defer { a.store.remove() }
        let b = try standInNode("b", unrelatedArchive: unrelated)
        defer { b.store.remove() }
        let environment = try clusterEnvironment()

        let load = try AirgapBinary.run(
            ["nodes", "run", "load", archive, "--parallel", "2", "--tools-image", "\(registry)/rhel7/support-tools:latest"],
            environment: environment)
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        #expect(load.stdout.contains("node/a: loaded 2 images"))
        #expect(load.stdout.contains("node/b: loaded 2 images"))
        #expect(load.stdout.contains("airgap: 2 node(s): 2 loaded, 0 skipped (every image present), 0 failed"))
        for node in [a, b] {
            #expect(try node.store.imageNames() == (archivedNames + [unrelatedName]).sorted())
            #expect(try FileManager.default.contentsOfDirectory(atPath: node.directory + "/var/tmp").isEmpty)
        }

        let again = try AirgapBinary.run(["nodes", "run", "load", archive], environment: environment)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("0 loaded, 2 skipped"))

        let clean = try AirgapBinary.run(["nodes", "run", "clean", archive, "--nodes", "a,b"], environment: environment)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("node/a: removed 2, absent 0"))
        for node in [a, b] {
            #expect(try node.store.imageNames() == [unrelatedName])
        }
    }

    @Test func aFailingNodeMakesNodesRunExitNonZeroWithASummary() throws {
        defer { cleanUp() }
        let archive = try bundle(Self.archived, to: "images.tar")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        let a = try standInNode("a", unrelatedArchive: unrelated)
        defer { a.store.remove() }
        let b = try standInNode("b", unrelatedArchive: unrelated)
        defer { b.store.remove() }
        try Data().write(to: URL(fileURLWithPath: a.directory + "/scp-refused"))
        let environment = try clusterEnvironment()

        let result = try AirgapBinary.run(["nodes", "run", "load", archive, "--keep-going", "--parallel", "1"], environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("node/a: FAILED: copying the archive to /var/tmp/"))
        #expect(result.stderr.contains("Connection refused"))
        #expect(result.stdout.contains("airgap: 2 node(s): 1 loaded, 0 skipped (every image present), 1 failed"))
        #expect(try a.store.imageNames() == [unrelatedName])
        #expect(try b.store.imageNames() == (archivedNames + [unrelatedName]).sorted())
    }

    @Test func theGeneratedScriptsRunThroughStandInOcWithRealPodman() throws {
        defer { cleanUp() }
        let archive = try bundle(Self.archived, to: "images.tar")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        let a = try standInNode("a", unrelatedArchive: unrelated)
        defer { a.store.remove() }
        let environment = try clusterEnvironment()

        let generated = try AirgapBinary.run(["nodes", "load-script", archive, "--copy", "stream"])
        #expect(generated.status == 0, "\(generated.stderr)")
        try Self.shellcheck(generated.stdout, in: scratch)
        let loaded = try runScript(generated.stdout, environment: environment)
        #expect(loaded.status == 0, "\(loaded.output)")
        #expect(try a.store.imageNames() == (archivedNames + [unrelatedName]).sorted())

        let clean = try AirgapBinary.run(["nodes", "clean-script", archive, "--selector", "role=none"])
        #expect(clean.status == 0, "\(clean.stderr)")
        try Self.shellcheck(clean.stdout, in: scratch)
        let none = try runScript(clean.stdout, environment: environment)
        #expect(none.status == 1)
        #expect(none.output.contains("no node matches the selector role=none"))
        let all = try AirgapBinary.run(["nodes", "clean-script", archive])
        let cleaned = try runScript(all.stdout, environment: environment)
        #expect(cleaned.status == 0, "\(cleaned.output)")
        #expect(try a.store.imageNames() == [unrelatedName])
    }

    // MARK: - Deltas (bundle --since), against the real podman

    /// The environment that makes a generated script run its node side here, on `node`'s storage.
    func thisHost(_ node: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "\(Self.testdata)/podman-vfs:" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["AIRGAP_THIS_HOST"] = "1"
        environment["AIRGAP_STANDIN_NODE"] = node
        environment["TMPDIR"] = node + "/var/tmp"
        return environment
    }

    @Test func aDeltasScriptLoadsItWhereTheBaseWasLoadedAndNothingWhereItWasNot() async throws {
        defer { cleanUp() }
        let fixture = try await DeltaFixture.make(in: scratch + "/delta")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        // podman loads the two-image base through its docker view: its storage knows the layers by
        // diff_id only, as on a node where `airgap nodes` loaded the base.
        let based = try standInNode("based", unrelatedArchive: fixture.base)
        defer { based.store.remove() }
        let bare = try standInNode("bare", unrelatedArchive: unrelated)
        defer { bare.store.remove() }
        // The base without tool:1: os and lib are still there (app:1 holds them), tool-1 is gone.
        let partial = try standInNode("partial", unrelatedArchive: fixture.base)
        defer { partial.store.remove() }
        try partial.store.podman(["rmi", fixture.tool1])

        let facts = try NodeArchive.read(path: fixture.delta)
        #expect(facts.delta?.bases.map(\.name) == ["base.tar"])
        #expect(Set(facts.delta?.layers ?? []) == Set(fixture.leftOutDiffIDs["delta.tar"] ?? []), "diff_ids, not digests")
        let script = NodeScript.load(facts, options: NodeScriptOptions())
        try Self.shellcheck(script, in: scratch)

        let loaded = try runScript(script, environment: thisHost(based.directory))
        #expect(loaded.status == 0, "\(loaded.output)")
        #expect(loaded.output.contains("this host: 1 of 2 images missing; checking the 3 layers the delta relies on"))
        #expect(loaded.output.contains("this host: loaded 2 images"))
        for name in fixture.deltaNames {
            #expect(try based.store.imageID(named: name) == fixture.podmanID(name), "\(name), with its own config")
        }

        for (node, missing) in [(bare, 3), (partial, 1)] {
            let before = try node.store.imageNames()
            let refused = try runScript(script, environment: thisHost(node.directory))
            #expect(refused.status == 1)
            #expect(
                refused.output.contains(
                    "this host: FAILED: it lacks \(missing) of 3 layers this delta relies on; load base.tar on it first, then this delta"),
                "\(refused.output)")
            #expect(try node.store.imageNames() == before, "nothing loaded")
            #expect(try Self.podmanCalls(node.directory).allSatisfy { $0.first != "load" }, "podman load never ran")
            #expect(try FileManager.default.contentsOfDirectory(atPath: node.directory + "/var/tmp").isEmpty, "nothing copied")
        }
    }

    @Test func nodesRunLoadsADeltaOnlyWhereItsBaseIsThenEverywhereOnceTheBaseIs() async throws {
        defer { cleanUp() }
        let fixture = try await DeltaFixture.make(in: scratch + "/delta")
        let unrelated = try bundle([Self.unrelated], to: "unrelated.tar")
        let a = try standInNode("a", unrelatedArchive: unrelated)
        defer { a.store.remove() }
        let b = try standInNode("b", unrelatedArchive: unrelated)
        defer { b.store.remove() }
        let environment = try clusterEnvironment()

        let base = try AirgapBinary.run(["nodes", "run", "load", fixture.base, "--nodes", "a"], environment: environment)
        #expect(base.status == 0, "\(base.stdout)\(base.stderr)")

        let first = try AirgapBinary.run(["nodes", "run", "load", fixture.delta, "--keep-going", "--parallel", "1"], environment: environment)
        #expect(first.status == 1)
        #expect(first.stderr.contains("note: \(fixture.delta) is a delta of base.tar: each node must already hold the 3 layers"))
        #expect(first.stdout.contains("node/a: loaded 2 images"))
        #expect(
            first.stderr.contains("node/b: FAILED: it lacks 3 of 3 layers this delta relies on; load base.tar on it first, then this delta"),
            "\(first.stderr)")
        #expect(first.stdout.contains("airgap: 2 node(s): 1 loaded, 0 skipped (every image present), 1 failed"))
        #expect(try b.store.imageNames() == [unrelatedName], "nothing loaded on b")
        let calls = try String(contentsOfFile: scratch + "/cluster/calls.log", encoding: .utf8)
        #expect(!calls.contains("core@10.0.0.2:"), "nothing copied to b")

        // The base first, then the delta: a is skipped (it has every image), b loads it.
        let baseOnB = try AirgapBinary.run(["nodes", "run", "load", fixture.base, "--nodes", "b"], environment: environment)
        #expect(baseOnB.status == 0, "\(baseOnB.stdout)\(baseOnB.stderr)")
        let second = try AirgapBinary.run(["nodes", "run", "load", fixture.delta], environment: environment)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("airgap: 2 node(s): 1 loaded, 1 skipped (every image present), 0 failed"))
        for node in [a, b] {
            for name in fixture.deltaNames {
                #expect(try node.store.imageID(named: name) == fixture.podmanID(name), "\(name) on \(node.directory)")
            }
        }
    }

    // MARK: - The command line

    @Test func nodesHasHelpAndRefusesContradictoryOptions() throws {
        defer { cleanUp() }
        let help = try AirgapBinary.run(["nodes", "--help"])
        #expect(help.status == 0)
        for command in ["load-script", "clean-script", "run"] {
            #expect(help.stdout.contains("  \(command) "), "nodes --help lists \(command)")
        }
        let archive = try bundle(["pause:3.2"], to: "images.tar")
        let both = try AirgapBinary.run(["nodes", "load-script", archive, "--nodes", "a", "--selector", "x=y"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("--nodes and --selector"))
        let badNode = try AirgapBinary.run(["nodes", "clean-script", archive, "--nodes", "$(reboot)"])
        #expect(badNode.status == 64)
        let copyOnClean = try AirgapBinary.run(["nodes", "run", "clean", archive, "--copy", "scp"])
        #expect(copyOnClean.status == 64)
        let missing = try AirgapBinary.run(["nodes", "load-script", scratch + "/missing.tar"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: cannot read \(scratch)/missing.tar"))
    }

    @Test func aPartsListIsRefusedNamingThePartsToRunOneAtATime() throws {
        defer { cleanUp() }
        let list = scratch + "/lab.parts"
        let digest = "sha256:" + String(repeating: "0", count: 64)
        let json = #"{"mediaType":"application/vnd.airgap.parts.v1+json","parts":["#
            + #"{"file":"lab-1.tar","size":10,"sha256":"\#(digest)","images":["a:1"]},"#
            + #"{"file":"lab-2.tar","size":10,"sha256":"\#(digest)","images":["b:1"]}]}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: list))
        for command in [["load-script"], ["clean-script"], ["run", "load"]] {
            let result = try AirgapBinary.run(["nodes"] + command + [list, "--nodes", "a"])
            #expect(result.status == 64, "nodes \(command) of a .parts list")
            #expect(result.stderr.contains("\(list) is a list of 2 archive parts"))
            #expect(result.stderr.contains("\(scratch)/lab-1.tar, \(scratch)/lab-2.tar"))
        }
    }

    @Test func aCraftedArchiveGivesAQuotedScriptAndAWarning() throws {
        defer { cleanUp() }
        let path = scratch + "/crafted.tar"
        let name = "evil $(touch \(scratch)/pwned) 'x'"
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDigest = Digest.compute(of: config)
        let manifest = Data(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"layers":[]}"#
                .utf8)
        let manifestDigest = Digest.compute(of: manifest)
        let nameJSON = String(decoding: try JSONEncoder().encode(name), as: UTF8.self)
        let index = Data(
            #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(manifestDigest)","size":\#(manifest.count),"annotations":{"org.opencontainers.image.ref.name":\#(nameJSON),"io.containerd.image.name":\#(nameJSON)}}]}"#
                .utf8)
        let docker = Data(#"[{"Config":"blobs/sha256/\#(configDigest.encoded)","RepoTags":[\#(nameJSON)],"Layers":[]}]"#.utf8)
        let writer = try TarWriter(path: path)
        try writer.addFile("oci-layout", contents: BundleLayout.ociLayoutContents)
        try writer.addFile("index.json", contents: index)
        try writer.addFile("manifest.json", contents: docker)
        try writer.addFile(BundleLayout.blobPath(configDigest), contents: config)
        try writer.addFile(BundleLayout.blobPath(manifestDigest), contents: manifest)
        try writer.finish()

        let result = try AirgapBinary.run(["nodes", "load-script", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: \(path) names"))
        #expect(result.stdout.contains("\t'evil $(touch \(scratch)/pwned) '\\''x'\\'''\n"))
        try Self.shellcheck(result.stdout, in: scratch)
        #expect(!FileManager.default.fileExists(atPath: scratch + "/pwned"))
    }
}
