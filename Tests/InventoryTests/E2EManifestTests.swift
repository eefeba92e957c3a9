import Foundation
import Inventory
import OCI
import Testing
import Yams

// Kubernetes' test/utils/image/manifest.go, both eras (testdata/e2e/README.md), with and without a
// KUBE_TEST_REPO_LIST file.

private let v119 = Testdata.path("e2e/manifest-v1.19.go")
private let v131 = Testdata.path("e2e/manifest-v1.31.go")
private let repoList = Testdata.path("e2e/repo-list.yaml")

private func image(_ list: E2EImageList, _ id: String) -> String? {
    list.configs.first { $0.id == id }?.image.description
}

@Test func readsTheGcrEraWithPackageVariables() throws {
    let list = try E2EImageList.load(manifest: v119, repoList: nil)
    #expect(list.configs.count == 39)
    #expect(list.configs.first?.id == "Agnhost")
    #expect(image(list, "Agnhost") == "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20")
    #expect(image(list, "AgnhostPrivate") == "gcr.io/k8s-authenticated-test/agnhost:2.6")  // PrivateRegistry, exported
    #expect(image(list, "BusyBox") == "docker.io/library/busybox:1.29")
    #expect(image(list, "Pause") == "k8s.gcr.io/pause:3.2")
    #expect(image(list, "VolumeNFSServer") == "gcr.io/kubernetes-e2e-test-images/volume/nfs:1.0")
    #expect(list.configs.first { $0.id == "Agnhost" }?.registryKey == "promoterE2eRegistry")
    #expect(list.configs.first { $0.id == "Agnhost" }?.line == 216)
    #expect(list.skipped.map(\.image.description) == ["invalid.com/invalid/alpine:3.1"])
    #expect(list.notes.isEmpty)
}

@Test func theSeedsListsComeFromTheGcrEra() throws {
    let images = Set(try E2EImageList.load(manifest: v119, repoList: nil).imageList.references)
    for suite in SuiteCatalog.openShiftTestLists {
        #expect(Set(suite.images.references).isSubset(of: images), "\(suite.name)")
    }
}

@Test func readsTheRegistryK8sIoEraWithListFields() throws {
    let list = try E2EImageList.load(manifest: v131, repoList: nil)
    #expect(list.configs.count == 36)
    #expect(image(list, "Agnhost") == "registry.k8s.io/e2e-test-images/agnhost:2.52")
    #expect(image(list, "Etcd") == "registry.k8s.io/etcd:3.5.13-0")
    #expect(image(list, "Pause") == "registry.k8s.io/pause:3.9")
    #expect(image(list, "NodePerfNpbEp") == "registry.k8s.io/e2e-test-images/node-perf/npb-ep:1.2")
    #expect(image(list, "AuthenticatedAlpine") == "gcr.io/authenticated-image-pulling/alpine:3.7")
    #expect(list.skipped.map(\.image.description) == ["invalid.registry.k8s.io/invalid/alpine:3.1"])
    #expect(list.notes.count == 1)
    #expect(list.notes.first?.contains("appendCSIImageConfigs") == true)
    #expect(list.imageList.references.count == 36)
}

@Test func aRepoListOverridesKeyByKey() throws {
    let current = try E2EImageList.load(manifest: v131, repoList: repoList)
    #expect(image(current, "Agnhost") == "registry.lab.example.com:5000/e2e-test-images/agnhost:2.52")
    #expect(image(current, "Pause") == "registry.lab.example.com:5000/k8s/pause:3.9")
    #expect(image(current, "Etcd") == "registry.k8s.io/etcd:3.5.13-0")  // gcEtcdRegistry not overridden
    #expect(image(current, "NFSProvisioner") == "registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8")

    let old = try E2EImageList.load(manifest: v119, repoList: repoList)
    #expect(image(old, "Agnhost") == "registry.lab.example.com:5000/e2e-test-images/agnhost:2.20")
    #expect(image(old, "BusyBox") == "registry.lab.example.com:5000/library/busybox:1.29")
    #expect(image(old, "Mounttest") == "gcr.io/kubernetes-e2e-test-images/mounttest:1.0")
}

@Test func unknownRepoListKeysAreNotedAndIgnored() throws {
    let overrides = try RepoList.parse("e2eRegistry: lab/e2e\npromoterE2eRegistry: lab.example.com/e2e\n", source: "list.yaml")
    let list = try E2EImageList.parse(
        try Testdata.text("e2e/manifest-v1.31.go"), source: "manifest.go", repoList: overrides, repoListSource: "list.yaml")
    #expect(image(list, "Agnhost") == "lab.example.com/e2e/agnhost:2.52")
    #expect(list.notes.first?.hasPrefix("list.yaml: e2eRegistry is not a registry key of this manifest.go") == true)
}

@Test(arguments: [InventoryFormat.list, .bash])
func e2eListsParseBack(_ format: InventoryFormat) throws {
    let list = try E2EImageList.load(manifest: v131, repoList: nil)
    #expect(try ImageList.parse(try list.rendered(as: format), source: "out") == list.imageList)
}

@Test func e2eBashRunsInBash() throws {
    let list = try E2EImageList.load(manifest: v119, repoList: nil)
    let result = try runBash(try list.rendered(as: .bash) + #"echo "${#IMAGES[@]} ${IMAGES[0]}""#)
    #expect(result.output == "39 \(list.imageList.references[0])\n")
}

@Test func e2eDocumentsDecodeBack() throws {
    let list = try E2EImageList.load(manifest: v131, repoList: nil)
    let json = try JSONDecoder().decode(E2EImageDocument.self, from: Data(try list.rendered(as: .json).utf8))
    let yaml = try YAMLDecoder().decode(E2EImageDocument.self, from: try list.rendered(as: .yaml))
    #expect(json == E2EImageDocument(list))
    #expect(yaml == json)
    #expect(json.configs.first?.id == "Agnhost" && json.configs.first?.registryKey == "promoterE2eRegistry")
}

@Test func e2eMapping() throws {
    let list = try E2EImageList.load(manifest: v131, repoList: nil)
    let text = try list.rendered(as: .mapping, destination: MirrorDestination("mirror.lab:5000/e2e"))
    #expect(text.contains("registry.k8s.io/e2e-test-images/agnhost:2.52=mirror.lab:5000/e2e/e2e-test-images/agnhost:2.52\n"))
    #expect(text.contains("registry.k8s.io/pause:3.9=mirror.lab:5000/e2e/pause:3.9\n"))
}

// MARK: - Go syntax the reader must get through

private func configs(_ body: String) throws -> [String] {
    try E2EImageList.parse(body, source: "m.go").configs.map { "\($0.id)=\($0.image)" }
}

@Test(
    arguments: [
        ("keyed Config", #"configs[A] = Config{registry: "quay.io/x", name: "a", version: "1"}"#, ["A=quay.io/x/a:1"]),
        ("trailing comma over lines", "configs[A] = Config{\n\t\"quay.io/x\",\n\t\"a\",\n\t\"1\",\n}", ["A=quay.io/x/a:1"]),
        ("escapes and raw strings", #"configs[A] = Config{`quay.io/x`, "\x61gn\u0068ost", "2.\060"}"#, ["A=quay.io/x/agnhost:2.0"]),
        (
            "comments and strings that look like configs are ignored",
            """
            // configs[B] = Config{"quay.io/x", "b", "1"}
            /* configs[C] = Config{"quay.io/x", "c", "1"}
            */
            var s = `configs[D] = Config{"quay.io/x", "d", "1"}`
            var t = "configs[E] = Config{\\"quay.io/x\\", \\"e\\", \\"1\\"}"
            configs[A] = Config{"quay.io/x", "a", "1"}
            """,
            ["A=quay.io/x/a:1"]
        ),
        (
            "a later assignment replaces an earlier one in place",
            #"configs[A] = Config{"quay.io/x", "a", "1"}; configs[B] = Config{"quay.io/x", "b", "1"}; configs[A] = Config{"quay.io/x", "a", "2"}"#,
            ["A=quay.io/x/a:2", "B=quay.io/x/b:1"]
        ),
        (
            "variables through variables, package level first",
            "var (\n a = b\n b = \"quay.io/x\"\n)\nfunc f() { a := \"wrong.io/y\"; configs[A] = Config{a, \"a\", \"1\"} }",
            ["A=quay.io/x/a:1"]
        ),
        (
            "function-local registry variables (replicas of the old form)",
            "func f(r *RegistryList) { e2e := r.E2e; configs[A] = Config{e2e, \"a\", \"1\"} }\ntype RegistryList struct {\n E2e string `yaml:\"e2e\"`\n}\nvar d = RegistryList{E2e: \"quay.io/e2e\"}",
            ["A=quay.io/e2e/a:1"]
        ),
        (
            "a field without a yaml tag, and other map assignments",
            "type RegistryList struct {\n R string\n}\nvar l = RegistryList{\n R: \"quay.io/r\",\n}\nconfigs[A] = Config{l.R, \"a\", \"1\"}\nconfigs[i] = config\nconfigs[j] = other(Config{})",
            ["A=quay.io/r/a:1"]
        ),
        (
            "operators are not assignments", "if x == \"a\" { y := 1 }\nz != \"b\"\nconfigs[A] = Config{\"quay.io/x\", \"a\", \"1\"}",
            ["A=quay.io/x/a:1"]
        ),
    ] as [(String, String, [String])])
func readsGoSyntax(_ label: String, _ source: String, _ expected: [String]) throws {
    #expect(try configs(source) == expected, "\(label)")
}

@Test(
    arguments: [
        (
            "configs[A] = Config{\"quay.io/x, \"a\", \"1\"}",
            E2EManifestError.syntax(source: "m.go", line: 1, reason: "a string (\") that is not closed on its line")
        ),
        ("\n/* never closed", .syntax(source: "m.go", line: 2, reason: "a /* comment that is never closed")),
        ("var x = `raw\n", .syntax(source: "m.go", line: 1, reason: "a raw string (`) that is never closed")),
        ("var x = \"\\q\"", .syntax(source: "m.go", line: 1, reason: "an unknown escape \\q in a string")),
        ("package image\n", .noConfigs(source: "m.go")),
        ("\nconfigs[A] = Config{nowhere, \"a\", \"1\"}", .unresolved(source: "m.go", line: 2, id: "A", name: "nowhere")),
        ("var a = b\nvar b = a\nconfigs[A] = Config{a, \"a\", \"1\"}", .unresolved(source: "m.go", line: 3, id: "A", name: "a")),
        ("configs[A] = Config{list.Nope, \"a\", \"1\"}", .unresolved(source: "m.go", line: 1, id: "A", name: "list.Nope")),
        (
            "type RegistryList struct {\n R string `yaml:\"r\"`\n}\nconfigs[A] = Config{list.R, \"a\", \"1\"}",
            .missingDefault(source: "m.go", line: 4, id: "A", field: "R")
        ),
        (
            "configs[A] = Config{reg + \"/x\", \"a\", \"1\"}",
            .unsupported(
                source: "m.go", line: 1, reason: "configs[A] is not Config{registry, \"name\", \"version\"} with names, strings or fields")
        ),
        (
            "configs[A] = Config{\"quay.io/x\", \"a\"}",
            .unsupported(
                source: "m.go", line: 1, reason: "configs[A] is not Config{registry, \"name\", \"version\"} with names, strings or fields")
        ),
        (
            "var d = RegistryList{\n R: other,\n}\nconfigs[A] = Config{\"quay.io\", \"a\", \"1\"}",
            .unsupported(source: "m.go", line: 2, reason: "the default of R is not a string literal")
        ),
    ] as [(String, E2EManifestError)])
func refusesWhatItCannotRead(_ source: String, _ error: E2EManifestError) {
    #expect(throws: error) { try E2EImageList.parse(source, source: "m.go") }
}

@Test func anInvalidImageNamesItsConfig() throws {
    let error = try #require(throws: E2EManifestError.self) {
        try E2EImageList.parse("\n\nconfigs[Bad] = Config{\"quay.io/x\", \"Agnhost\", \"1\"}", source: "m.go")
    }
    #expect(error.description.hasPrefix("m.go:3: configs[Bad]: invalid image reference \"quay.io/x/Agnhost:1\""))
}

@Test(
    arguments: [
        ("- a\n- b\n", E2EManifestError.invalidRepoList(source: "r.yaml", line: 1, reason: "the file is not a mapping")),
        ("a: [x]\n", .invalidRepoList(source: "r.yaml", line: 1, reason: "a must be a registry, such as registry.example.com/e2e")),
        ("a: b\nc:\n", .invalidRepoList(source: "r.yaml", line: 2, reason: "c must be a registry, such as registry.example.com/e2e")),
        (
            "a: b\n  c: d: e\n",
            .invalidRepoList(source: "r.yaml", line: 2, reason: "not valid YAML: mapping values are not allowed in this context")
        ),
    ] as [(String, E2EManifestError)])
func refusesBadRepoLists(_ text: String, _ error: E2EManifestError) {
    #expect(throws: error) { try RepoList.parse(text, source: "r.yaml") }
}

@Test func anEmptyRepoListOverridesNothing() throws {
    #expect(try RepoList.parse("", source: "r.yaml").entries.isEmpty)
    #expect(try RepoList.parse("# only a comment\n", source: "r.yaml").entries.isEmpty)
}

@Test func missingFilesAreNamed() {
    #expect(throws: E2EManifestError.unreadable(path: "/nonexistent/manifest.go", reason: "No such file or directory")) {
        try E2EImageList.load(manifest: "/nonexistent/manifest.go", repoList: nil)
    }
    #expect(throws: E2EManifestError.unreadable(path: "/nonexistent/r.yaml", reason: "No such file or directory")) {
        try E2EImageList.load(manifest: v131, repoList: "/nonexistent/r.yaml")
    }
}

private let deepRepoLists = [
    "flow sequences": "promoterE2eRegistry: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n",
    "block sequences": "promoterE2eRegistry:\n" + String(repeating: "- ", count: 100_000) + "x\n",
    "flow mappings": String(repeating: "{a: ", count: 100_000) + "b" + String(repeating: "}", count: 100_000) + "\n",
]

@Test(arguments: deepRepoLists.keys.sorted())
func aDeeplyNestedRepoListIsAnErrorNotACrash(_ shape: String) {
    // Before: Yams recursed 100,000 levels and the process died of a stack overflow (signal 11).
    let error = #expect(throws: E2EManifestError.self) { try RepoList.parse(deepRepoLists[shape]!, source: "list.yaml") }
    #expect(error?.description.hasPrefix("list.yaml:") == true, "\(String(describing: error))")
    #expect(error?.description.contains("YAML nested too deeply") == true, "\(String(describing: error))")
}

@Test func aRepoListWithAliasesIsRefused() {
    // Before: accepted, each alias read as the anchored value.
    let yaml = "promoterE2eRegistry: &lab registry.lab.example.com/e2e\ndockerLibraryRegistry: *lab\n"
    let error = #expect(throws: E2EManifestError.self) { try RepoList.parse(yaml, source: "list.yaml") }
    #expect(error?.description.hasPrefix("list.yaml:1: a YAML alias (*name) repeats the node anchored here") == true, "\(String(describing: error))")
}
