import ArgumentParser
import Foundation
import Nodes

/// `airgap nodes run load|clean`: the scripts' procedure, performed directly with oc and scp, on
/// several nodes at once.
struct NodesRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Load or clean up an archive on every node now, several nodes at once.",
        discussion: """
            Does what load-script or clean-script would, invoking oc and scp itself: one line per \
            node and step, a summary at the end, and exit status 1 when any node failed. Without \
            --keep-going no node is started after one failed.

            Examples:
              airgap nodes run load images.tar --tools-image lab:5000/support-tools
              airgap nodes run clean images.tar --nodes worker-0,worker-1
            """
    )

    @Argument(help: ArgumentHelp("load: copy and load the archive; clean: remove its images.", valueName: "load|clean"))
    var action: NodeRunner.Action

    @OptionGroup var target: NodeTargetOptions

    @Option(help: ArgumentHelp("How the archive reaches each node (load only): scp or stream.", valueName: "method"))
    var copy: CopyMethod?

    @Option(help: ArgumentHelp("Nodes worked on at once.", valueName: "n"))
    var parallel: Int = 4

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 64") }
        if action == .clean, copy != nil { throw ValidationError("--copy applies to load only; clean copies nothing") }
    }

    func run() async throws {
        var summary: NodeRunSummary?
        try await CommandFailure.reporting {
            let archive = try await target.readArchive(quiet: outputOptions.quiet, loading: action == .load)
            let runner = NodeRunner(
                archive: archive, options: try target.scriptOptions(copy: copy ?? .scp, command: "run"), parallel: parallel)
            let display = NodeRunDisplay(action: action, quiet: outputOptions.quiet)
            summary = try await runner.run(action) { display.handle($0) }
        }
        guard let summary else { return }
        summary.lines.forEach(TerminalOutput.line)
        if !summary.untried.isEmpty { print("  (--keep-going goes on after a failure)") }
        if !summary.succeeded { throw ExitCode.failure }
    }
}
