import ArgumentParser

/// `airgap inventory`: which images a suite needs, from the nodes' caches, from Kubernetes' own
/// source, and from the user's catalog of derived lists. Only a parent; each job is a subcommand.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Find the images a test suite pulls, and keep the lists as suites.",
        discussion: """
            Which images a test suite pulls, found exactly: snapshot `crictl images` on \
            every node before and after a suite (snapshot-script), diff them (diff), keep the list \
            (save-suite) and bundle it (airgap bundle --suite NAME).

            Examples:
              airgap inventory snapshot-script \\
                --tools-image registry.example.com/rhel7/support-tools:latest > snapshot.sh
              bash snapshot.sh before; <run the suite>; bash snapshot.sh after
              airgap inventory diff --before before --after after --output bash
              airgap inventory save-suite my-conformance --before before --after after
              airgap inventory e2e manifest.go --repo-list repo-list.yaml
            """,
        subcommands: [
            InventoryDiffCommand.self, SnapshotScriptCommand.self, SaveSuiteCommand.self, SuitesCommand.self,
            CompareCommand.self, E2ECommand.self,
        ]
    )
}
