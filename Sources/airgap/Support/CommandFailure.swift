import ArgumentParser
import Foundation

/// The one place errors become what the user sees: `error: <message>` on stderr and exit status 1.
/// Every layer's errors name the image, registry or file; ``ErrorHints`` adds what to do. The line
/// is escaped (``TerminalOutput``): messages quote names and registries' own words.
enum CommandFailure {
    /// Runs `work`; an error is printed as `message` words it (``ErrorHints/message(for:)`` unless
    /// the command has words of its own, as `login` does).
    static func reporting(
        message: (any Error) -> String = ErrorHints.message(for:), _ work: () async throws -> Void
    ) async throws {
        do {
            try await work()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            TerminalOutput.errorLines("error: \(message(error))")
            throw ExitCode.failure
        }
    }
}
