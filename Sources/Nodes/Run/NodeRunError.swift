/// Why `nodes run` could not start, or a command on the way failed to start at all.
public enum NodeRunError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A program is not on PATH.
    case missingTool(String)
    /// A program was found but could not be started.
    case launch(String, String)
    /// The archive could not be opened to stream it.
    case unreadable(String)
    /// `oc get nodes` failed, or listed nothing usable.
    case nodeListing(String)

    public var description: String {
        switch self {
        case .missingTool("oc"):
            "oc is not on PATH: install the OpenShift client and log in as a cluster administrator (oc login)"
        case .missingTool("scp"):
            "scp is not on PATH: install the OpenSSH client"
        case .missingTool(let tool):
            "\(tool) is not on PATH"
        case .launch(let tool, let reason):
            "cannot start \(tool): \(reason)"
        case .unreadable(let path):
            "cannot open \(path) to stream it"
        case .nodeListing(let reason):
            reason
        }
    }
}
