import Foundation
import Inventory
import OCI
import Testing

// The built-in Kubernetes e2e suites (SuiteCatalog+KubernetesE2E.swift): present, each naming its
// release, holding the images manifest.go of that release names. The whole lists are derived again
// from the upstream manifest.go files, and compared, by scripts/check-e2e-suites.sh (scripts/test.sh
// runs it): the project keeps the derived lists, not Kubernetes' Go source, so that check needs the
// files beside the repository and says "not run" without them, where a test here would be skipped.

private func images(_ name: String) throws -> [String] {
    try SuiteCatalog.suite(named: name).images.references.map(\.description)
}

@Test(arguments: [
    ("kubernetes-e2e-v1.31", "v1.31.8", 32),
    ("kubernetes-e2e-v1.35", "v1.35.4", 26),
])
func kubernetesE2ESuiteIsBuiltIn(_ name: String, _ release: String, _ count: Int) throws {
    let suite = try SuiteCatalog.suite(named: name)
    #expect(suite.isBuiltIn)
    #expect(suite.images.references.count == count)
    #expect(suite.summary.contains("Kubernetes \(release)'s e2e tests"))
    #expect(suite.summary.contains("CSI driver images not included"))
    #expect(!suite.summary.contains("\n"))
    // As `airgap inventory e2e` prints it: sorted, no duplicates, and never the deliberately invalid image.
    #expect(suite.images == suite.images.sorted)
    #expect(Set(suite.images.references).count == count)
    #expect(!suite.images.references.contains { $0.description.hasPrefix("invalid.registry.k8s.io/") })
}

@Test func kubernetesE2EV135HoldsTheTagsOfItsManifest() throws {
    let list = try images("kubernetes-e2e-v1.35")
    // manifest.go v1.35.4: configs[Agnhost] = …"agnhost", "2.59"; configs[AgnhostPrev] = …"2.55".
    #expect(list.contains("registry.k8s.io/e2e-test-images/agnhost:2.59"))
    #expect(list.contains("registry.k8s.io/e2e-test-images/agnhost:2.55"))
    #expect(list.contains("registry.k8s.io/pause:3.10.1"))
    #expect(list.contains("registry.k8s.io/etcd:3.6.6-0"))
    #expect(list.contains("registry.k8s.io/e2e-test-images/busybox:1.37.0-1"))
    #expect(list.contains("registry.k8s.io/build-image/distroless-iptables:v0.8.9"))
    // Gone since v1.31: the CUDA, httpd and redis images.
    #expect(!list.contains { $0.contains("cuda-vector-add") || $0.contains("/httpd:") || $0.contains("/redis:") })
}

@Test func kubernetesE2EV131HoldsTheTagsOfItsManifest() throws {
    let list = try images("kubernetes-e2e-v1.31")
    #expect(list.contains("registry.k8s.io/e2e-test-images/agnhost:2.52"))
    #expect(list.contains("registry.k8s.io/pause:3.10"))
    #expect(list.contains("registry.k8s.io/etcd:3.5.15-0"))
    #expect(list.contains("registry.k8s.io/e2e-test-images/httpd:2.4.38-4"))
    #expect(list.contains("registry.k8s.io/e2e-test-images/redis:5.0.5-3"))
    #expect(list.contains("gcr.io/authenticated-image-pulling/alpine:3.7"))
}
