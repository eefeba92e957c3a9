import Testing

@testable import Nodes

/// `--nodes` and `--selector` as the user types them.
@Suite struct NodeSelectionTests {
    @Test(arguments: [
        (["worker-0"], ["node/worker-0"]),
        (
            ["worker-0,node/worker-1", "nodes/ip-10-0-1-2.ec2.internal"],
            ["node/worker-0", "node/worker-1", "node/ip-10-0-1-2.ec2.internal"]
        ),
        (["a, b ,a"], ["node/a", "node/b"]),
    ])
    func nodeNamesAreNormalized(input: [String], expected: [String]) throws {
        #expect(try NodeSelection.named(parsing: input) == .named(expected))
    }

    @Test(arguments: ["Worker-0", "-worker", "worker-", "a..b", "a b", "$(touch x)", "node/", "a;b", String(repeating: "a", count: 64)])
    func anythingButANodeNameIsRefused(name: String) {
        #expect(throws: NodeSelectionError.invalidNodeName(name)) { try NodeSelection.named(parsing: [name]) }
    }

    @Test func anEmptyListIsRefused() {
        #expect(throws: NodeSelectionError.noNodes) { try NodeSelection.named(parsing: []) }
    }

    @Test(arguments: [
        ("node-role.kubernetes.io/worker=", true), ("env in (lab, qe),!gpu", true), (" ", false), ("a=b\nc=d", false),
    ])
    func selectorsAreOneLine(selector: String, valid: Bool) {
        let parsed = try? NodeSelection.selector(parsing: selector)
        #expect((parsed != nil) == valid)
    }
}
