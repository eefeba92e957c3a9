import Nodes
import OCI
import Testing

@testable import airgap

/// `nodes run` shows what a failing node printed; podman prints the archive's image names as they
/// are, so every line is escaped before it reaches the terminal.
@Suite struct NodeRunDisplayTests {
    @Test func aFailingNodesOutputIsShownEscaped() {
        let outcome = NodeOutcome(
            node: "node/a",
            result: .failed(
                reason: "1 of 2 images are missing after podman load",
                output: "Loaded image: reg/esc\u{1B}[2J:1\nLoaded image: reg/\u{202E}1:gat\u{07}\nairgap-node: failed"))
        let (output, errors) = NodeRunDisplay.text(for: .finished(outcome), action: .load, quiet: false)
        #expect(output == nil)
        #expect(
            errors == """
                node/a: FAILED: 1 of 2 images are missing after podman load
                    | Loaded image: reg/esc\\x1b[2J:1
                    | Loaded image: reg/\\u{202e}1:gat\\x07
                    | airgap-node: failed

                """)
    }

    @Test func stepsNamingTheArchiveAreEscaped() {
        let (output, _) = NodeRunDisplay.text(
            for: .step(node: "node/a", "copying ./images\u{1B}[31m.tar by scp"), action: .load, quiet: false)
        #expect(output == "node/a: copying ./images\\x1b[31m.tar by scp\n")
    }
}
