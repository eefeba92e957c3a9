/// The Kubernetes e2e image lists: every image the e2e tests of a Kubernetes release pull, as
/// `airgap inventory e2e` derives them from that release's `test/utils/image/manifest.go`.
///
/// Derived with `airgap inventory e2e manifest.go` (registry defaults, no KUBE_TEST_REPO_LIST) from
/// upstream Kubernetes' `test/utils/image/manifest.go` (Apache-2.0), as vendored in
/// github.com/openshift-kni/scheduler-plugins (`vendor/k8s.io/kubernetes/test/utils/image/manifest.go`):
///
/// | suite                 | release  | scheduler-plugins commit                   |
/// | --------------------- | -------- | ------------------------------------------ |
/// | kubernetes-e2e-v1.31  | v1.31.8  | 54aa920bdc70f3a4cf1a8095112952146f3d7704   |
/// | kubernetes-e2e-v1.35  | v1.35.4  | 4495d2058964d9ad1ce6e7f9cf553a2d623a3613   |
///
/// Left out, as the derivation leaves them out: `InvalidRegistryImage`
/// (`invalid.registry.k8s.io/invalid/alpine:3.1`, unpullable on purpose), and the CSI driver images
/// that `appendCSIImageConfigs` adds from YAML under `test/e2e/testing-manifests/storage-csi`
/// (`e2e.test --list-images` prints those). To add a release: run the same command on its
/// manifest.go and add its list here, sorted as the command prints it.
extension SuiteCatalog {
    /// The Kubernetes e2e lists, oldest release first.
    public static let kubernetesE2E: [Suite] = [
        suite(
            "kubernetes-e2e-v1.31",
            [
                "gcr.io/authenticated-image-pulling/alpine:3.7",
                "gcr.io/authenticated-image-pulling/windows-nanoserver:v1",
                "gcr.io/k8s-authenticated-test/agnhost:2.6",
                "registry.k8s.io/build-image/distroless-iptables:v0.5.13",
                "registry.k8s.io/e2e-test-images/agnhost:2.52",
                "registry.k8s.io/e2e-test-images/apparmor-loader:1.4",
                "registry.k8s.io/e2e-test-images/busybox:1.36.1-1",
                "registry.k8s.io/e2e-test-images/cuda-vector-add:1.0",
                "registry.k8s.io/e2e-test-images/cuda-vector-add:2.3",
                "registry.k8s.io/e2e-test-images/httpd:2.4.38-4",
                "registry.k8s.io/e2e-test-images/httpd:2.4.39-4",
                "registry.k8s.io/e2e-test-images/ipc-utils:1.3",
                "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7",
                "registry.k8s.io/e2e-test-images/kitten:1.7",
                "registry.k8s.io/e2e-test-images/nautilus:1.7",
                "registry.k8s.io/e2e-test-images/nginx:1.14-4",
                "registry.k8s.io/e2e-test-images/nginx:1.15-4",
                "registry.k8s.io/e2e-test-images/node-perf/npb-ep:1.2",
                "registry.k8s.io/e2e-test-images/node-perf/npb-is:1.2",
                "registry.k8s.io/e2e-test-images/node-perf/tf-wide-deep:1.3",
                "registry.k8s.io/e2e-test-images/nonewprivs:1.3",
                "registry.k8s.io/e2e-test-images/nonroot:1.4",
                "registry.k8s.io/e2e-test-images/perl:5.26",
                "registry.k8s.io/e2e-test-images/redis:5.0.5-3",
                "registry.k8s.io/e2e-test-images/regression-issue-74839:1.2",
                "registry.k8s.io/e2e-test-images/resource-consumer:1.13",
                "registry.k8s.io/e2e-test-images/sample-apiserver:1.29.2",
                "registry.k8s.io/e2e-test-images/volume/iscsi:2.6",
                "registry.k8s.io/e2e-test-images/volume/nfs:1.4",
                "registry.k8s.io/etcd:3.5.15-0",
                "registry.k8s.io/pause:3.10",
                "registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8",
            ],
            summary: "every image of Kubernetes v1.31.8's e2e tests (test/utils/image/manifest.go; CSI driver images not included)"),
        suite(
            "kubernetes-e2e-v1.35",
            [
                "gcr.io/k8s-authenticated-test/agnhost:2.6",
                "registry.k8s.io/build-image/distroless-iptables:v0.8.9",
                "registry.k8s.io/e2e-test-images/agnhost:2.55",
                "registry.k8s.io/e2e-test-images/agnhost:2.59",
                "registry.k8s.io/e2e-test-images/apparmor-loader:1.4",
                "registry.k8s.io/e2e-test-images/busybox:1.37.0-1",
                "registry.k8s.io/e2e-test-images/ipc-utils:1.3",
                "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7",
                "registry.k8s.io/e2e-test-images/kitten:1.7",
                "registry.k8s.io/e2e-test-images/nautilus:1.7",
                "registry.k8s.io/e2e-test-images/nginx:1.14-4",
                "registry.k8s.io/e2e-test-images/nginx:1.15-4",
                "registry.k8s.io/e2e-test-images/node-perf/npb-ep:1.2",
                "registry.k8s.io/e2e-test-images/node-perf/npb-is:1.2",
                "registry.k8s.io/e2e-test-images/node-perf/tf-wide-deep:1.3",
                "registry.k8s.io/e2e-test-images/nonewprivs:1.3",
                "registry.k8s.io/e2e-test-images/nonroot:1.4",
                "registry.k8s.io/e2e-test-images/perl:5.26",
                "registry.k8s.io/e2e-test-images/regression-issue-74839:1.4",
                "registry.k8s.io/e2e-test-images/resource-consumer:1.13",
                "registry.k8s.io/e2e-test-images/sample-apiserver:1.29.2",
                "registry.k8s.io/e2e-test-images/volume/iscsi:2.6",
                "registry.k8s.io/e2e-test-images/volume/nfs:1.4",
                "registry.k8s.io/etcd:3.6.6-0",
                "registry.k8s.io/pause:3.10.1",
                "registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8",
            ],
            summary: "every image of Kubernetes v1.35.4's e2e tests (test/utils/image/manifest.go; CSI driver images not included)"),
    ]
}
