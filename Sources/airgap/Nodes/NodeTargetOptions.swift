import ArgumentParser
import Archive
import Foundation
import Nodes
import Registry

/// The options every `nodes` subcommand shares: the archive, which nodes, the `oc debug` image,
/// and what to do after a failure.
struct NodeTargetOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The offline archive written by airgap bundle; the image names are read from it.", valueName: "archive"))
    var archive: String

    @Option(
        name: .customLong("tools-image"),
        help: ArgumentHelp(
            "The image oc debug runs on each node (--image), e.g. the support-tools image mirrored into the private registry.",
            valueName: "image"))
    var toolsImage: String?

    @Option(
        name: .customLong("nodes"),
        help: ArgumentHelp("Only these nodes, separated by commas (default: every node oc get nodes lists).", valueName: "node,..."))
    var nodes: [String] = []

    @Option(
        name: [.customShort("l"), .customLong("selector")],
        help: ArgumentHelp("Only the nodes matching this label selector, as oc get nodes -l takes it.", valueName: "label"))
    var selector: String?

    @Flag(name: .customLong("keep-going"), help: "Go on after a node fails, and report every failure at the end.")
    var keepGoing = false

    func validate() throws {
        _ = try selection()
        if let toolsImage, toolsImage.isEmpty || toolsImage.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw ValidationError("--tools-image \(toolsImage.debugDescription) is not an image reference")
        }
    }

    func selection() throws -> NodeSelection {
        do {
            switch (nodes.isEmpty, selector) {
            case (false, _?): throw ValidationError("--nodes and --selector choose nodes in two ways; give one of them")
            case (false, nil): return try NodeSelection.named(parsing: nodes)
            case (true, let selector?): return try NodeSelection.selector(parsing: selector)
            case (true, nil): return .all
            }
        } catch NodeSelectionError.noNodes {
            throw ValidationError("--nodes names no node; give node names separated by commas, e.g. --nodes worker-0,worker-1")
        } catch let error as NodeSelectionError {
            throw ValidationError("\(selector == nil ? "--nodes" : "--selector"): \(error)")
        }
    }

    /// `command` is the subcommand that writes the script, named in its header.
    func scriptOptions(copy: CopyMethod = .scp, command: String) throws -> NodeScriptOptions {
        NodeScriptOptions(
            toolsImage: toolsImage, copy: copy, nodes: try selection(), keepGoing: keepGoing,
            generator: "airgap \(AirgapVersion.current) (airgap nodes \(command))")
    }

    /// Reads the archive's names and sha256; warns on stderr about names podman will refuse and,
    /// when `loading`, says what a delta needs on each node.
    func readArchive(quiet: Bool, loading: Bool = false) async throws -> NodeArchive {
        if archive.hasSuffix(ArchiveParts.fileExtension) {
            throw partsListRefusal()
        }
        let read = try await NodeArchive.reading(path: archive)
        if !quiet {
            for name in read.unusualNames {
                TerminalOutput.errorLine(
                    "warning: \(archive) names \(name.debugDescription), which is not a full image reference; podman will refuse it (airgap verify says more)")
            }
            if loading, let delta = read.delta {
                TerminalOutput.errorLine(
                    "note: \(archive) is a delta of \(delta.baseNames): each node must already hold the \(delta.layers.count) "
                        + "layers it left out (load \(delta.baseNames) there first); a node that lacks one fails before anything is copied")
            }
        }
        return read
    }

    /// A `.parts` list is not an archive: each part is one, complete on its own, and nodes takes
    /// them one at a time (a node loads each part with its own podman load).
    private func partsListRefusal() -> ValidationError {
        let parts: [String]
        do {
            parts = try ArchiveParts.read(archive).archivePaths(relativeTo: archive)
        } catch {
            return ValidationError("\(error)")
        }
        let shown = parts.prefix(3).joined(separator: ", ") + (parts.count > 3 ? ", …" : "")
        return ValidationError(
            "\(archive) is a list of \(parts.count) archive parts, and nodes takes one archive: "
                + "run it once per part (\(shown)); each part is complete on its own")
    }
}

extension CopyMethod: ExpressibleByArgument {}
extension NodeRunner.Action: ExpressibleByArgument {}
