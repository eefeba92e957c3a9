import Foundation
import OCI

@testable import Nodes

/// A cluster of stand-in nodes for `oc` and `scp` test doubles (testdata/nodes, see its README):
/// there is no OpenShift cluster here, so nodes are directories, `oc` and `scp` are scripts that
/// act on them, and each node's podman is testdata/nodes/podman-fake (images kept as files).
struct StandInCluster {
    static let testdata = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("testdata/nodes").path

    let root: String

    /// Makes `nodes` (names) with addresses 10.0.0.1, 10.0.0.2, … and the given labels.
    init(in scratch: Scratch, nodes: [String], labels: [String: [String]] = [:]) throws {
        root = try scratch.file("cluster")
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.testdata + "/podman-fake/podman", toPath: root + "/bin/podman")
        try Data().write(to: URL(fileURLWithPath: root + "/calls.log"))
        for (position, node) in nodes.enumerated() {
            let directory = root + "/nodes/" + node
            try FileManager.default.createDirectory(atPath: directory + "/var/tmp", withIntermediateDirectories: true)
            try Data("10.0.0.\(position + 1)\n".utf8).write(to: URL(fileURLWithPath: directory + "/address"))
            let nodeLabels = (labels[node] ?? []).map { $0 + "\n" }.joined()
            try Data(nodeLabels.utf8).write(to: URL(fileURLWithPath: directory + "/labels"))
        }
    }

    /// The environment for the driver: the stand-in oc and scp first on PATH, then the nodes' podman
    /// (used when the script runs the node side here), and the cluster's directory.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "\(Self.testdata)/bin:\(root)/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["AIRGAP_STANDIN_CLUSTER"] = root
        environment.removeValue(forKey: "AIRGAP_THIS_HOST")
        environment.removeValue(forKey: "AIRGAP_ARCHIVE")
        return environment
    }

    func node(_ name: String) -> String { root + "/nodes/" + name }

    /// Marks a node: `unreachable`, `scp-refused`, `fail-load`, `in-use`.
    func mark(_ node: String, _ marker: String) throws {
        try Data().write(to: URL(fileURLWithPath: self.node(node) + "/" + marker))
    }

    /// The image names the fake podman holds on `node`, sorted.
    func images(on node: String) throws -> [String] {
        let store = self.node(node) + "/images"
        guard FileManager.default.fileExists(atPath: store) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: store)
            .map { try String(contentsOfFile: store + "/" + $0, encoding: .utf8) }.sorted()
    }

    /// Puts images on `node` as if loaded earlier (the fake podman's layout: files named by the
    /// sha256 of the name).
    func preload(_ names: [String], on node: String) throws {
        let store = self.node(node) + "/images"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        for name in names {
            let key = Digest.compute(of: Data(name.utf8)).encoded
            try Data(name.utf8).write(to: URL(fileURLWithPath: store + "/" + key))
        }
    }

    /// Every podman call made on `node`, each as its arguments.
    func podmanCalls(on name: String) throws -> [[String]] {
        try Self.jsonLines(node(name) + "/podman.log")
    }

    /// Every oc and scp call, each as its arguments with the tool first.
    func calls() throws -> [[String]] {
        try Self.jsonLines(root + "/calls.log")
    }

    /// Files left in the node's /var/tmp.
    func leftovers(on node: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: self.node(node) + "/var/tmp")
    }

    static func jsonLines(_ path: String) throws -> [[String]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) }
    }
}
