import OCI
import Testing

@testable import Registry

@Suite struct MirrorRuleTests {
    @Test(arguments: [
        ("docker.io=127.0.0.1:5000", "docker.io/library/busybox:1.29", "127.0.0.1:5000/library/busybox:1.29"),
        ("docker.io=mirror.lab/dockerhub", "busybox:1.29", "mirror.lab/dockerhub/library/busybox:1.29"),
        ("k8s.gcr.io=127.0.0.1:5000", "k8s.gcr.io/pause:3.2", "127.0.0.1:5000/pause:3.2"),
        ("quay.io/openshift=mirror.lab/ocp/", "quay.io/openshift/origin-cli:4.15", "mirror.lab/ocp/origin-cli:4.15"),
        ("us.gcr.io=r.lab", "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20", "r.lab/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"),
        ("docker.io=r.lab", "busybox@sha256:" + String(repeating: "a", count: 64), "r.lab/library/busybox@sha256:" + String(repeating: "a", count: 64)),
        ("docker.io=r.lab", "busybox:1.29@sha256:" + String(repeating: "b", count: 64), "r.lab/library/busybox:1.29@sha256:" + String(repeating: "b", count: 64)),
    ])
    func rewritesKeepingTheRestOfTheName(rule: String, reference: String, expected: String) throws {
        let mirrored = try MirrorRule(parsing: rule).rewrite(try ImageReference(reference))
        #expect(mirrored?.description == expected)
    }

    @Test(arguments: [
        ("gcr.io=r.lab", "us.gcr.io/a/b:1"),  // a different registry that merely ends the same way
        ("quay.io/openshift=r.lab", "quay.io/openshift-release/x:1"),  // not on a component boundary
        ("docker.io=r.lab", "quay.io/library/busybox:1"),
    ])
    func leavesOtherNamesAlone(rule: String, reference: String) throws {
        #expect(try MirrorRule(parsing: rule).rewrite(try ImageReference(reference)) == nil)
    }

    @Test(arguments: ["docker.io", "=r.lab", "docker.io=", "docker.io=r.lab@sha256:x", ""])
    func malformedRulesSayTheExpectedForm(text: String) {
        let error = #expect(throws: MirrorRuleError.self) { _ = try MirrorRule(parsing: text) }
        #expect(error?.description.contains("expected SOURCE=LOCATION") == true)
    }

    @Test func theLongestPrefixWinsAndTheSourceComesLast() throws {
        let table = MirrorTable([
            try MirrorRule(parsing: "quay.io=general.lab"),
            try MirrorRule(parsing: "quay.io/openshift=first.lab/ocp"),
            try MirrorRule(parsing: "quay.io/openshift=second.lab/ocp"),
        ])
        let candidates = try table.candidates(for: try ImageReference("quay.io/openshift/cli:4.15"))
        #expect(candidates.map(\.description) == [
            "first.lab/ocp/cli:4.15", "second.lab/ocp/cli:4.15", "quay.io/openshift/cli:4.15",
        ])
        #expect(try table.candidates(for: try ImageReference("docker.io/library/busybox:1")).map(\.description) == ["docker.io/library/busybox:1"])
    }
}

@Test func aRuleMappingARepositoryOntoABareHostIsRefusedNamingTheRule() throws {
    let rule = try MirrorRule(parsing: "quay.io/openshift/cli=mirror.lab")
    let error = #expect(throws: MirrorRuleError.self) { _ = try rule.rewrite(try ImageReference("quay.io/openshift/cli:4.15")) }
    #expect(error?.description.hasPrefix("mirror rule quay.io/openshift/cli=mirror.lab cannot serve quay.io/openshift/cli:4.15") == true)
}

@Test func aLocationThatIsNotARegistryHostIsRefusedAtOnce() {
    #expect(throws: MirrorRuleError.self) { _ = try MirrorRule(parsing: "docker.io=mirror") }
    #expect(throws: MirrorRuleError.self) { _ = try MirrorRule(parsing: "docker.io=https://mirror.lab") }
}

@Test func aRewriteKeepsTheLocationsHostTagAndDigest() throws {
    let rule = try MirrorRule(parsing: "quay.io/openshift=mirror.lab:5000/ocp")
    let digest = "sha256:" + String(repeating: "a", count: 64)
    #expect(try rule.rewrite(try ImageReference("quay.io/openshift/cli:4.15@\(digest)"))?.description == "mirror.lab:5000/ocp/cli:4.15@\(digest)")
    #expect(try rule.rewrite(try ImageReference("quay.io/openshift/cli"))?.description == "mirror.lab:5000/ocp/cli:latest")
}
