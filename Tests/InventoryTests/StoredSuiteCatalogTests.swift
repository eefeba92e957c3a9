import Foundation
import Inventory
import Testing

// The user's catalog: save, list, look up beside the built-in suites, compare.

private func list(_ texts: String...) -> ImageList { ImageList(texts.map(reference)) }

@Test func savesAndReadsBackASuite() throws {
    try inTemporaryDirectory { directory in
        let catalog = StoredSuiteCatalog(directory: "\(directory)/suites")
        let images = list("k8s.gcr.io/pause:3.2", "busybox:1.29")
        let path = try catalog.save(images, name: "lab-conformance", summary: "from the lab\non Monday", replacing: false)
        #expect(path == "\(directory)/suites/lab-conformance.txt")
        #expect(
            try String(contentsOfFile: path, encoding: .utf8) == """
                # airgap suite: lab-conformance
                # summary: from the lab on Monday
                k8s.gcr.io/pause:3.2
                docker.io/library/busybox:1.29

                """)
        let suite = try #require(try catalog.suite(named: "lab-conformance"))
        #expect(suite.images == images)
        #expect(suite.summary == "from the lab on Monday")
        #expect(suite.path == path && !suite.isBuiltIn)
        // The file is also a list bundle -f reads.
        #expect(try ImageList.load(contentsOf: path) == images)
    }
}

@Test func listsStoredSuitesByNameAfterTheBuiltInOnes() throws {
    try inTemporaryDirectory { directory in
        let catalog = StoredSuiteCatalog(directory: directory)
        try catalog.save(list("busybox:1.29"), name: "zeta", summary: "z", replacing: false)
        try catalog.save(list("busybox:1.29"), name: "alpha", summary: "a", replacing: false)
        try write("nginx:1.14-alpine\n", to: "\(directory)/by-hand.txt")  // written by hand: no header
        try write("ignored", to: "\(directory)/notes.md")
        #expect(try catalog.suites().map(\.name) == ["alpha", "by-hand", "zeta"])
        #expect(try catalog.suite(named: "by-hand")?.summary == "stored in \(directory)/by-hand.txt")
        let all = try SuiteLookup(stored: catalog).all()
        #expect(all.map(\.name) == SuiteCatalog.builtIn.map(\.name) + ["alpha", "by-hand", "zeta"])
    }
}

@Test func aMissingCatalogIsEmpty() throws {
    let catalog = StoredSuiteCatalog(directory: "/nonexistent/airgap-suites")
    #expect(try catalog.suites().isEmpty)
    #expect(try catalog.suite(named: "x") == nil)
    #expect(try SuiteLookup(stored: catalog).suite(named: "all-disruptive").isBuiltIn)
}

@Test func lookupFindsBothAndSuggestsAmongBoth() throws {
    try inTemporaryDirectory { directory in
        let catalog = StoredSuiteCatalog(directory: directory)
        try catalog.save(list("busybox:1.29"), name: "lab-conformance", summary: "s", replacing: false)
        let lookup = SuiteLookup(stored: catalog)
        #expect(try lookup.suite(named: "lab-conformance").images == list("busybox:1.29"))
        #expect(try lookup.suite(named: "openshift-network-stress").images.references.count == 2)
        let error = try #require(throws: SuiteCatalogError.self) { try lookup.suite(named: "lab-conformence") }
        guard case .unknownSuite(_, let suggestion, let known) = error else { Issue.record("\(error)"); return }
        #expect(suggestion == "lab-conformance")
        #expect(known.last == "lab-conformance" && known.count == SuiteCatalog.builtIn.count + 1)
    }
}

@Test(arguments: [
    ("My-Suite", SuiteCatalogError.invalidName("My-Suite")),
    ("-x", .invalidName("-x")),
    ("a/b", .invalidName("a/b")),
    ("", .invalidName("")),
    ("../x", .invalidName("../x")),
    ("all-disruptive", .builtInName("all-disruptive")),
])
func refusesNames(_ name: String, _ error: SuiteCatalogError) throws {
    try inTemporaryDirectory { directory in
        #expect(throws: error) {
            try StoredSuiteCatalog(directory: directory).save(list("busybox:1.29"), name: name, summary: "", replacing: false)
        }
    }
}

@Test func replacesOnlyWhenAsked() throws {
    try inTemporaryDirectory { directory in
        let catalog = StoredSuiteCatalog(directory: directory)
        let path = try catalog.save(list("busybox:1.29"), name: "s", summary: "one", replacing: false)
        #expect(throws: SuiteCatalogError.suiteExists("s", path: path)) {
            try catalog.save(list("nginx:1.14-alpine"), name: "s", summary: "two", replacing: false)
        }
        try catalog.save(list("nginx:1.14-alpine"), name: "s", summary: "two", replacing: true)
        #expect(try catalog.suite(named: "s")?.images == list("nginx:1.14-alpine"))
        #expect(throws: SuiteCatalogError.emptySuite("s")) { try catalog.save(ImageList(), name: "s", summary: "", replacing: true) }
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["s.txt"])
    }
}

@Test func reportsUnwritableAndInvalidCatalogs() throws {
    try inTemporaryDirectory { directory in
        try write("x", to: "\(directory)/file")
        let blocked = StoredSuiteCatalog(directory: "\(directory)/file/suites")
        #expect(throws: SuiteCatalogError.unwritableCatalog(path: "\(directory)/file/suites/s.txt", reason: "Not a directory")) {
            try blocked.save(list("busybox:1.29"), name: "s", summary: "", replacing: false)
        }
        try write("Busybox:1.29\n", to: "\(directory)/bad.txt")
        let error = try #require(throws: SuiteCatalogError.self) { try StoredSuiteCatalog(directory: directory).suites() }
        #expect(error.description.hasPrefix("stored suite: \(directory)/bad.txt:1: invalid image reference"))
    }
}

@Test(arguments: [
    (["XDG_DATA_HOME": "/data", "HOME": "/home/u"], "/data/airgap/suites"),
    (["HOME": "/home/u"], "/home/u/.local/share/airgap/suites"),
    (["XDG_DATA_HOME": "relative", "HOME": "/home/u"], "/home/u/.local/share/airgap/suites"),
])
func defaultDirectoryFollowsXDG(_ environment: [String: String], _ directory: String) {
    #expect(StoredSuiteCatalog.defaultDirectory(environment: environment) == directory)
}

@Test func comparesANewListWithASuite() throws {
    let suite = try SuiteCatalog.suite(named: "openshift-network-stress")  // pause:3.2, agnhost:2.20
    let new = list("k8s.gcr.io/pause:3.2", "registry.k8s.io/e2e-test-images/agnhost:2.43", "busybox:1.29")
    let comparison = SuiteComparison(suite: suite, against: new)
    #expect(comparison.added == references("docker.io/library/busybox:1.29", "registry.k8s.io/e2e-test-images/agnhost:2.43"))
    #expect(comparison.dropped == references("us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"))
    #expect(comparison.unchanged == references("k8s.gcr.io/pause:3.2"))
    #expect(!comparison.isSame)
    #expect(
        comparison.text == """
            suite openshift-network-stress (2 images) against the new list (3 images): 2 added, 1 dropped, 1 unchanged
            + docker.io/library/busybox:1.29
            + registry.k8s.io/e2e-test-images/agnhost:2.43
            - us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20

            """)
    let same = SuiteComparison(suite: suite, against: suite.images)
    #expect(same.isSame && same.text.hasSuffix("(2 images): the same images\n"))
    let decoded = try JSONDecoder().decode(SuiteComparison.self, from: Data(try InventoryRendering.json(comparison).utf8))
    #expect(decoded == comparison)
}
