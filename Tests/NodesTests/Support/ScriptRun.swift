import Foundation
import Testing

@testable import Nodes

/// Runs generated scripts and shellcheck, through the same child-process code `nodes run` uses.
enum ScriptRun {
    /// Writes `script` to `name` in `scratch` and runs it with bash, in `directory` when given.
    static func bash(
        _ script: String, named name: String = "script.sh", in scratch: Scratch, environment: [String: String],
        directory: String? = nil
    ) async throws -> ChildProcess.Result {
        let path = try scratch.write(script, to: name, executable: true)
        let command = directory.map { ["bash", "-c", "cd \"$1\" && exec bash \"$2\"", "bash", $0, path] } ?? ["bash", path]
        return try await ChildProcess(environment: environment).run(command)
    }

    /// shellcheck's findings for `script` at every severity, style included; empty when clean.
    static func shellcheck(_ script: String, in scratch: Scratch) async throws -> String {
        let path = try scratch.write(script, to: "check-\(UUID().uuidString.prefix(8)).sh")
        let result = try await ChildProcess(environment: ProcessInfo.processInfo.environment)
            .run(["shellcheck", "--shell=bash", "--severity=style", path])
        return result.status == 0 ? "" : result.output + result.errors
    }
}
