import OCI

/// The suites the seed document ("How to make the images available offline", section "List of
/// images used by the tests") lists, with their images transcribed exactly.
///
/// `testdata/seed/` holds a copy of that document; a test parses its arrays and compares them
/// with this catalog, so the two cannot drift apart silently.
public enum SuiteCatalog {
    /// Every built-in suite, in the seed's order.
    public static let builtIn: [Suite] = [
        suite("openshift-conformance-minimal", [busybox, httpd, nginx, mounttest, pause, agnhost]),
        suite("openshift-conformance", [busybox, httpd, nginx, mounttest, pause, agnhost]),
        suite("kubernetes-conformance", [busybox, httpd, nginx, mounttest, pause, agnhost]),
        suite("openshift-network-stress", [pause, agnhost]),
        suite("openshift-conformance-excluded-non-disruptive", [busybox, nginx, resourceConsumer, pause, agnhost]),
        suite("openshift-conformance-excluded-disruptive", [busybox]),
        suite("all-disruptive", [busybox]),
        suite(
            "all-non-disruptive",
            [busybox, httpd, nginx, authenticatedAlpine, mounttest, resourceConsumer, pause, agnhost]),
    ]

    /// The built-in suite called `name` (exact match).
    /// - Throws: `SuiteCatalogError.unknownSuite`, listing the known names and the closest one.
    public static func suite(named name: String) throws(SuiteCatalogError) -> Suite {
        if let suite = builtIn.first(where: { $0.name == name }) { return suite }
        let known = builtIn.map(\.name)
        throw .unknownSuite(name, suggestion: SuiteCatalogError.closest(to: name, among: known), known: known)
    }

    // The images, spelled as the seed spells them (its full form).
    private static let busybox = "docker.io/library/busybox:1.29"
    private static let httpd = "docker.io/library/httpd:2.4.38-alpine"
    private static let nginx = "docker.io/library/nginx:1.14-alpine"
    private static let authenticatedAlpine = "gcr.io/authenticated-image-pulling/alpine:3.7"
    private static let mounttest = "gcr.io/kubernetes-e2e-test-images/mounttest:1.0"
    private static let resourceConsumer = "gcr.io/kubernetes-e2e-test-images/resource-consumer:1.5"
    private static let pause = "k8s.gcr.io/pause:3.2"
    private static let agnhost = "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"

    private static func suite(_ name: String, _ images: [String]) -> Suite {
        let references = images.map { image in
            // Constants above, checked by the tests: a failure here is a typo in this file.
            do { return try ImageReference(image) } catch { preconditionFailure("built-in suite \(name): \(error)") }
        }
        return Suite(
            name: name,
            summary: "images pulled by the tests in the seed's tests-lists/\(name).txt",
            images: ImageList(references))
    }
}
