import ArgumentParser
import Foundation
import Inventory

/// `airgap inventory e2e`: the e2e image list from Kubernetes' own source.
struct E2ECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "List the images of Kubernetes' e2e tests from test/utils/image/manifest.go.",
        discussion: """
            Reads every `configs[ID] = Config{registry, "name", "version"}` of manifest.go (both the \
            current `list.SomeRegistry` form and the older package variables) with the registry \
            defaults of the same file, overridden key by key by a KUBE_TEST_REPO_LIST YAML file. The \
            image on the deliberately invalid registry is left out. CSI driver images, which newer \
            releases add from YAML manifests, are not in manifest.go: `e2e.test --list-images` has them.

            Examples:
              airgap inventory e2e vendor/k8s.io/kubernetes/test/utils/image/manifest.go
              airgap inventory e2e manifest.go --repo-list repo-list.yaml --output bash
              airgap inventory e2e manifest.go --output mapping \\
                --to registry.example.com/e2e
            """
    )

    @Argument(help: ArgumentHelp("Kubernetes' test/utils/image/manifest.go (or OpenShift's vendored copy).", valueName: "manifest.go"))
    var manifest: String

    @Option(
        name: .customLong("repo-list"),
        help: ArgumentHelp(
            "A KUBE_TEST_REPO_LIST YAML file of registry overrides (default: $KUBE_TEST_REPO_LIST, as e2e.test reads it).",
            valueName: "file"))
    var repoList: String?

    @OptionGroup var list: ListOutputOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let overrides = repoList ?? ProcessInfo.processInfo.environment["KUBE_TEST_REPO_LIST"].flatMap { $0.isEmpty ? nil : $0 }
            let images = try E2EImageList.load(manifest: manifest, repoList: overrides)
            print(try images.rendered(as: list.output.format, destination: list.destination), terminator: "")
            for note in images.notes { InventoryMessages.note(note, quiet: outputOptions.quiet) }
            for skipped in images.skipped {
                InventoryMessages.note(
                    "left out \(skipped.id) (\(skipped.image)): it names an invalid registry on purpose, for tests that expect a pull to fail",
                    quiet: outputOptions.quiet)
            }
            list.warnAboutCollisions(in: images.imageList, quiet: outputOptions.quiet)
        }
    }
}
