import Foundation
import Inventory
import Registry
import Testing

/// `airgap inventory` through the real binary: what a user types, on the testdata snapshots and
/// manifest.go samples. No server is needed.
@Suite struct InventoryCommandTests {
    private static let testdata = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("testdata").path
    private let before = "\(testdata)/crictl/cluster/before"
    private let after = "\(testdata)/crictl/cluster/after"

    private func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-inventory-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func helpListsEverySubcommand() throws {
        let result = try AirgapBinary.run(["inventory", "--help"])
        #expect(result.status == 0)
        for command in ["diff", "snapshot-script", "save-suite", "suites", "compare", "e2e"] {
            #expect(result.stdout.contains("  \(command) "), "inventory --help lists \(command)")
        }
    }

    @Test func diffPrintsTheSortedUnionAndReportsRemovedImages() throws {
        let result = try AirgapBinary.run(["inventory", "diff", "--before", before, "--after", after])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(
            lines.prefix(3) == [
                "docker.io/library/busybox:1.29", "quay.io/e2e/busybox:1.29", "registry.k8s.io/e2e-test-images/agnhost:2.43",
            ])
        #expect(lines[3].hasPrefix("registry.k8s.io/e2e-test-images/nginx@sha256:"))
        #expect(result.stderr.contains("note: 1 image was present before and gone after (on worker-1;"))
        #expect(result.stderr.contains("docker.io/library/httpd:2.4.38-alpine"))

        let quiet = try AirgapBinary.run(["inventory", "diff", "--before", before, "--after", after, "-q"])
        #expect(quiet.stdout == result.stdout && quiet.stderr.isEmpty)
    }

    @Test func diffOutputsParseBack() throws {
        let json = try AirgapBinary.run(["inventory", "diff", "--before", before, "--after", after, "--per-node", "--output", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let document = try JSONDecoder().decode(InventoryDiffDocument.self, from: Data(json.stdout.utf8))
        #expect(document.nodes?.map(\.node) == ["master-0", "worker-0", "worker-1"])
        #expect(document.removed.map(\.description) == ["docker.io/library/httpd:2.4.38-alpine"])

        let bash = try AirgapBinary.run(["inventory", "diff", "--before", before, "--after", after, "--output", "bash"])
        #expect(try ImageList.parse(bash.stdout, source: "bash").references == document.images)

        let mapping = try AirgapBinary.run(
            ["inventory", "diff", "--before", before, "--after", after, "--output", "mapping", "--to", "registry.example.com/mirror"])
        #expect(mapping.stdout.hasPrefix("docker.io/library/busybox:1.29=registry.example.com/mirror/library/busybox:1.29\n"))
    }

    @Test func theListFeedsBundleAndSaveSuite() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let diff = try AirgapBinary.run(["inventory", "diff", "--before", before, "--after", after])
        let saved = try AirgapBinary.run(["inventory", "save-suite", "lab-run", "--catalog", directory], stdin: diff.stdout)
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.stdout == "saved suite lab-run (4 images) to \(directory)/lab-run.txt\n")

        let suites = try AirgapBinary.run(["inventory", "suites", "--catalog", directory])
        #expect(suites.stdout.contains("openshift-conformance-minimal"))
        #expect(suites.stdout.contains("lab-run") && suites.stdout.contains("\(directory)/lab-run.txt"))

        let again = try AirgapBinary.run([
            "inventory", "save-suite", "lab-run", "--catalog", directory, "--before", before, "--after", after,
        ])
        #expect(again.status == 1)
        #expect(again.stderr.contains("error: suite \"lab-run\" already exists"))

        let compare = try AirgapBinary.run([
            "inventory", "compare", "lab-run", "--catalog", directory, "-f", "\(Self.testdata)/e2e/repo-list.yaml",
        ])
        #expect(compare.status == 1)  // not a list: the error names the file and line
        #expect(compare.stderr.contains("repo-list.yaml:2: unexpected"))

        let same = try AirgapBinary.run([
            "inventory", "compare", "lab-run", "--catalog", directory, "--before", before, "--after", after, "-q",
        ])
        #expect(same.stdout.hasPrefix("suite lab-run (4 images) against the new list (4 images): the same images\n"), "\(same.stderr)")

        // bundle --suite finds stored suites: a typo is caught before any registry is contacted.
        let bundle = try AirgapBinary.run(["bundle", "--suite", "lab-rnu", "--catalog", directory, "-o", "\(directory)/x.tar"])
        #expect(bundle.status == 1)
        #expect(bundle.stderr.contains("unknown suite \"lab-rnu\"; did you mean \"lab-run\"?"))

        // and bundle --list-suites lists them beside the built-in ones.
        let listed = try AirgapBinary.run(["bundle", "--list-suites", "--catalog", directory])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("openshift-conformance-minimal"))
        #expect(listed.stdout.split(separator: "\n").contains { $0.hasPrefix("lab-run ") && $0.hasSuffix(" 4 images") }, "\(listed.stdout)")
    }

    @Test func badSnapshotsAreErrorsNamingTheFile() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("{\n  \"images\": [\n    {\"id\": 7}\n  ]\n}\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/w1.json"))
        let result = try AirgapBinary.run(["inventory", "diff", "--before", directory, "--after", after])
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(directory)/w1.json:3: \"id\" must be a string, found a number\n")

        let missing = try AirgapBinary.run([
            "inventory", "diff", "--before", before, "--after", "\(after)/worker-0.json", "\(after)/master-0.json",
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: node worker-1 has a snapshot before the run"))

        let usage = try AirgapBinary.run(["inventory", "diff", "--before", before, "--after", after, "--output", "mapping"])
        #expect(usage.status != 0 && usage.status != 1)
        #expect(usage.stderr.contains("--output mapping needs a destination"))
    }

    @Test func snapshotScriptNamesTheToolsImage() throws {
        let result = try AirgapBinary.run(
            ["inventory", "snapshot-script", "--tools-image", "registry.example.com/rhel7/support-tools:latest", "--dir", "before"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("#!/usr/bin/env bash\n"))
        #expect(result.stdout.contains("TOOLSIMAGE=\"${TOOLSIMAGE:-registry.example.com/rhel7/support-tools:latest}\""))
        #expect(result.stdout.contains("DIR='before'"))
        let bad = try AirgapBinary.run(["inventory", "snapshot-script", "--tools-image", "Not An Image"])
        #expect(bad.status != 0 && bad.stderr.contains("--tools-image"))
    }

    @Test func e2eReadsManifestGoWithARepoList() throws {
        let manifest = "\(Self.testdata)/e2e/manifest-v1.31.go"
        let plain = try AirgapBinary.run(["inventory", "e2e", manifest])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("registry.k8s.io/e2e-test-images/agnhost:2.52\n"))
        #expect(plain.stderr.contains("appendCSIImageConfigs"))
        #expect(plain.stderr.contains("left out InvalidRegistryImage"))

        let repoList = "\(Self.testdata)/e2e/repo-list.yaml"
        let overridden = try AirgapBinary.run(["inventory", "e2e", manifest, "--repo-list", repoList, "-q"])
        #expect(overridden.stdout.contains("registry.lab.example.com:5000/e2e-test-images/agnhost:2.52\n"))
        #expect(overridden.stderr.isEmpty)
        // As e2e.test does, KUBE_TEST_REPO_LIST names the file when --repo-list is not given.
        let fromEnvironment = try AirgapBinary.run(["inventory", "e2e", manifest, "-q"], environment: ["KUBE_TEST_REPO_LIST": repoList])
        #expect(fromEnvironment.stdout == overridden.stdout)

        let old = try AirgapBinary.run(["inventory", "e2e", "\(Self.testdata)/e2e/manifest-v1.19.go", "--output", "bash"])
        #expect(old.stdout.contains("      \"us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20\"\n"))
    }
}
