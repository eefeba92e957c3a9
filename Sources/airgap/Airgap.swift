import ArgumentParser
import Registry

/// The `airgap` command: a tiny root that only lists the subcommands that work.
@main
struct Airgap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airgap",
        abstract: "Bring container images into disconnected OpenShift and Kubernetes clusters.",
        discussion: """
            airgap pulls images from registries over the Docker Registry v2 API (libcurl) and writes \
            offline archives (libarchive) that podman, docker and containerd load in one call.
            """,
        version: "airgap \(AirgapVersion.current) (\(HTTPTransport.curlVersion))",
        subcommands: [
            BundleCommand.self, MirrorCommand.self, SupportToolsCommand.self, InventoryCommand.self, NodesCommand.self,
            InspectCommand.self, VerifyCommand.self, LoginCommand.self, LogoutCommand.self,
        ]
    )
}
