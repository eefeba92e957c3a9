import Archive
import Foundation

@testable import Nodes

/// A scratch directory holding an archive (`images.tar`) and a stand-in cluster of nodes.
struct Scenario {
    static let images = ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"]
    /// An image no archive holds, put on nodes beforehand: clean-up must leave it.
    static let unrelated = "docker.io/library/unrelated:1.0"

    let scratch: Scratch
    /// The archive, named as a user in the scratch directory would name it: `images.tar`.
    let archive: NodeArchive
    let cluster: StandInCluster
    /// What wrote the archive (for a delta: the layer it left out).
    let fixture: ArchiveFixture

    /// With `deltaBases`, the archive is a delta of them that left out one layer
    /// (``ArchiveFixture/leftOutDiffID``).
    init(images: [String] = Scenario.images, nodes: [String], labels: [String: [String]] = [:], deltaBases: [DeltaBase]? = nil) throws {
        scratch = try Scratch()
        let path = try scratch.file("images.tar")
        var fixture = ArchiveFixture(images)
        fixture.deltaBases = deltaBases
        self.fixture = fixture
        try fixture.write(to: path)
        var archive = try NodeArchive.read(path: path)
        archive.path = "images.tar"
        self.archive = archive
        cluster = try StandInCluster(in: scratch, nodes: nodes, labels: labels)
    }

    var copyName: String { NodeProgram.copyName(for: archive.sha256) }

    /// The archive by its absolute path, for `nodes run`: the test process's directory is not the
    /// scratch directory (and is shared by every test running at once).
    var absoluteArchive: NodeArchive {
        var absolute = archive
        absolute.path = scratch.path + "/images.tar"
        return absolute
    }

    /// The environment for a script run with `AIRGAP_THIS_HOST=1`: the node side runs here, with
    /// the fake podman acting on `node`'s directory and the copy going to its var/tmp.
    func thisHostEnvironment(as node: String) -> [String: String] {
        var environment = cluster.environment
        environment["AIRGAP_THIS_HOST"] = "1"
        environment["AIRGAP_STANDIN_NODE"] = cluster.node(node)
        environment["TMPDIR"] = cluster.node(node) + "/var/tmp"
        return environment
    }

    /// Runs `script` with bash in the scratch directory, where `images.tar` is.
    func run(_ script: String, environment: [String: String]? = nil) async throws -> ChildProcess.Result {
        try await ScriptRun.bash(
            script, named: "nodes-\(UUID().uuidString.prefix(8)).sh", in: scratch,
            environment: environment ?? cluster.environment, directory: scratch.path)
    }

    /// The `podman load` calls made on `node`, each as its arguments.
    func podmanLoads(on node: String) throws -> [[String]] {
        try cluster.podmanCalls(on: node).filter { $0.first == "load" }
    }
}
