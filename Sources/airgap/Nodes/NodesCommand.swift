import ArgumentParser

/// `airgap nodes`: the seed's "Copy the images to the hosts" and "Clean up the images", for one
/// offline archive: as scripts to review and run, or performed directly.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Copy, load and clean up an offline archive on every cluster node.",
        discussion: """
            For clusters that cannot pull the images at all: each node gets the archive, checks its \
            sha256, and loads it with one `podman load`; a node that already has every image is \
            skipped. The clean-up removes exactly the archive's images, by full name. A delta \
            (airgap bundle --since) loads only on a node that holds every layer it left out; any \
            other node fails, naming the base archive to load there first, before anything is copied.

            Image names are read from the archive, never from the command line. Nodes are reached \
            with `oc debug node/NAME -- chroot /host` as a cluster administrator, the archive is \
            copied by scp (as core, to the node's InternalIP) or streamed through oc debug.

            Examples:
              airgap nodes load-script images.tar \\
                --tools-image lab:5000/support-tools > load.sh
              airgap nodes clean-script images.tar > clean.sh
              airgap nodes run load images.tar -l node-role.kubernetes.io/worker=
              airgap nodes run clean images.tar --nodes worker-0,worker-1
            """,
        subcommands: [NodesLoadScriptCommand.self, NodesCleanScriptCommand.self, NodesRunCommand.self]
    )
}
