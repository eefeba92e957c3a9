import Inventory
import OCI
import Testing

// The built-in catalog: the 2020 procedure's test lists, checked against the counts in its "List of
// images used by the tests", and the Kubernetes e2e lists after them (KubernetesE2ESuiteTests).

@Test(arguments: [
    ("openshift-conformance-minimal", 6),
    ("openshift-conformance", 6),
    ("kubernetes-conformance", 6),
    ("openshift-network-stress", 2),
    ("openshift-conformance-excluded-non-disruptive", 5),
    ("openshift-conformance-excluded-disruptive", 1),
    ("all-disruptive", 1),
    ("all-non-disruptive", 8),
])
func builtInSuiteHasTheSeedsImageCount(_ name: String, _ count: Int) throws {
    let suite = try SuiteCatalog.suite(named: name)
    #expect(suite.name == name)
    #expect(suite.images.references.count == count)
    #expect(suite.summary.contains("tests-lists/\(name).txt"))
    #expect(!suite.summary.contains("\n"))
}

@Test func catalogHoldsTheEightSeedSuitesInOrder() {
    #expect(
        SuiteCatalog.openShiftTestLists.map(\.name) == [
            "openshift-conformance-minimal", "openshift-conformance", "kubernetes-conformance",
            "openshift-network-stress", "openshift-conformance-excluded-non-disruptive",
            "openshift-conformance-excluded-disruptive", "all-disruptive", "all-non-disruptive",
        ])
}

@Test func builtInIsTheProcedureListsThenTheKubernetesE2ELists() {
    #expect(
        SuiteCatalog.builtIn.map(\.name)
            == SuiteCatalog.openShiftTestLists.map(\.name) + ["kubernetes-e2e-v1.31", "kubernetes-e2e-v1.35"])
    #expect(SuiteCatalog.builtIn.allSatisfy { $0.isBuiltIn })
}

@Test(arguments: SuiteCatalog.builtIn)
func builtInImagesAreFullFormAndParse(_ suite: Suite) throws {
    // Written in full form, each reference prints as it is spelled and reparses to itself.
    for reference in suite.images.references {
        #expect(try ImageReference(reference.description) == reference)
        #expect(!reference.isTagImplied, "\(suite.name): \(reference)")
    }
    #expect(try ImageList.parse(suite.images.rendered(as: .bash), source: suite.name) == suite.images)
}

@Test func allNonDisruptiveCoversEverySuite() throws {
    // The seed's widest list covers every other suite; a catalog typo would usually break this.
    let all = Set(try SuiteCatalog.suite(named: "all-non-disruptive").images.references)
    for suite in SuiteCatalog.openShiftTestLists {
        #expect(Set(suite.images.references).isSubset(of: all), "\(suite.name)")
    }
}

@Test(
    arguments: [
        ("openshift-conformance-minimall", "openshift-conformance-minimal"),
        ("OpenShift-Conformance", "openshift-conformance"),
        ("kubernetes-conformence", "kubernetes-conformance"),
        ("all-disruptve", "all-disruptive"),
        ("all-nondisruptive", "all-non-disruptive"),
        ("network-stress", nil),
        ("foo", nil),
        ("", nil),
    ] as [(String, String?)])
func unknownSuiteSuggestsTheClosestName(_ name: String, _ suggestion: String?) {
    let known = SuiteCatalog.builtIn.map(\.name)
    #expect(throws: SuiteCatalogError.unknownSuite(name, suggestion: suggestion, known: known)) {
        try SuiteCatalog.suite(named: name)
    }
}

@Test func unknownSuiteMessage() throws {
    let error = try #require(throws: SuiteCatalogError.self) {
        try SuiteCatalog.suite(named: "openshift-conformance-minimall")
    }
    #expect(
        error.description == """
            unknown suite "openshift-conformance-minimall"; did you mean "openshift-conformance-minimal"? \
            Known suites: openshift-conformance-minimal, openshift-conformance, kubernetes-conformance, \
            openshift-network-stress, openshift-conformance-excluded-non-disruptive, \
            openshift-conformance-excluded-disruptive, all-disruptive, all-non-disruptive, \
            kubernetes-e2e-v1.31, kubernetes-e2e-v1.35
            """)
    let far = try #require(throws: SuiteCatalogError.self) { try SuiteCatalog.suite(named: "foo") }
    #expect(far.description.hasPrefix("unknown suite \"foo\". Known suites: openshift-conformance-minimal, "))
}
