/// The `oc` and `scp` command lines that reach a node, for `nodes run`; the generated scripts spell
/// the same commands in bash from the same constants.
struct ClusterCommands: Sendable, Hashable {
    /// The node's InternalIP (the address the seed procedure scp's to); dual-stack nodes list two,
    /// separated by a space, and the first is used.
    static let internalIPPath = #"{.status.addresses[?(@.type=="InternalIP")].address}"#

    /// As the seed procedure, plus BatchMode and a connect timeout: the nodes' `core` user logs in by
    /// key only, a password prompt would hang parallel copies, and an unreachable node should fail in
    /// seconds, not minutes. Nodes are re-provisioned often, so host keys are neither checked nor kept.
    static let scpOptions = [
        "-q", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "-o", "StrictHostKeyChecking=no", "-o",
        "UserKnownHostsFile=/dev/null",
    ]

    /// What a node runs to receive the streamed archive; its path comes as `$1`.
    static let streamProgram = #"cat >"$1""#

    /// `oc debug --image=…`, when a tools image was chosen.
    var toolsImage: String?

    /// `oc get nodes -o name [-l SELECTOR]`; `nil` when the nodes were named.
    func listNodes(_ selection: NodeSelection) -> [String]? {
        switch selection {
        case .all: ["oc", "get", "nodes", "-o", "name"]
        case .selector(let selector): ["oc", "get", "nodes", "-o", "name", "-l", selector]
        case .named: nil
        }
    }

    func internalIP(of node: String) -> [String] {
        ["oc", "get", node, "-o", "jsonpath=" + Self.internalIPPath]
    }

    /// `oc debug [-T] [--image=…] NODE -- chroot /host bash -c PROGRAM airgap-node ARGUMENTS…`: the
    /// program is fixed text, the arguments are data (bash's `$1`, `$2`, …).
    func debug(_ node: String, program: String, arguments: [String], passingStdin: Bool = false) -> [String] {
        var command = ["oc", "debug"]
        if passingStdin { command.append("-T") }
        if let toolsImage { command.append("--image=" + toolsImage) }
        return command + [node, "--", "chroot", "/host", "bash", "-c", program, "airgap-node"] + arguments
    }

    /// `scp … -- SOURCE core@ADDRESS:COPY`, with an IPv6 address in brackets and `./` before a
    /// relative source, so that a colon in its name does not make scp read it as `host:path`.
    func scp(_ source: String, toAddress address: String, copy: String) -> [String] {
        let host = address.contains(":") ? "[\(address)]" : address
        let local = source.hasPrefix("/") ? source : "./" + source
        return ["scp"] + Self.scpOptions + ["--", local, "core@\(host):\(copy)"]
    }
}
