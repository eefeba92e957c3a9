import OCI

/// The built-in suites: the test lists of a 2020 procedure for running OpenShift's conformance tests
/// offline, and the Kubernetes e2e image lists of current releases (`SuiteCatalog+KubernetesE2E`).
///
/// The procedure ("How to make the images available offline", mid-2020, OpenShift 4.4–4.6) lists
/// the images each of its test lists (`tests-lists/<name>.txt`) pulls; they are Kubernetes
/// 1.18/1.19-era e2e images on docker.io, gcr.io, k8s.gcr.io and us.gcr.io. `testdata/seed/` holds
/// a copy of that document; a test parses its arrays and compares them with `openShiftTestLists`,
/// so the two cannot drift apart silently.
public enum SuiteCatalog {
    /// Every built-in suite: the procedure's lists in its order, then the Kubernetes e2e lists, oldest first.
    public static let builtIn: [Suite] = openShiftTestLists + kubernetesE2E

    /// The procedure's eight test lists, in its order, with their images transcribed exactly.
    public static let openShiftTestLists: [Suite] = [
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

    // The images, spelled as the procedure spells them (its full form).
    private static let busybox = "docker.io/library/busybox:1.29"
    private static let httpd = "docker.io/library/httpd:2.4.38-alpine"
    private static let nginx = "docker.io/library/nginx:1.14-alpine"
    private static let authenticatedAlpine = "gcr.io/authenticated-image-pulling/alpine:3.7"
    private static let mounttest = "gcr.io/kubernetes-e2e-test-images/mounttest:1.0"
    private static let resourceConsumer = "gcr.io/kubernetes-e2e-test-images/resource-consumer:1.5"
    private static let pause = "k8s.gcr.io/pause:3.2"
    private static let agnhost = "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"

    private static func suite(_ name: String, _ images: [String]) -> Suite {
        suite(
            name, images,
            summary: "OpenShift test list tests-lists/\(name).txt of the 2020 offline-images procedure (Kubernetes 1.19-era images)")
    }

    /// A built-in suite from constants in this module's source.
    static func suite(_ name: String, _ images: [String], summary: String) -> Suite {
        let references = images.map { image in
            // Constants, checked by the tests: a failure here is a typo in the catalog's source.
            do { return try ImageReference(image) } catch { preconditionFailure("built-in suite \(name): \(error)") }
        }
        return Suite(name: name, summary: summary, images: ImageList(references))
    }
}
