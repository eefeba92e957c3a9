import ArgumentParser
import Foundation
import Logging

/// `-q` and `--log-level`, shared by every command.
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only errors and the final result.")
    var quiet = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("Diagnostics on stderr: error, warning, info, debug or trace.", valueName: "level"))
    var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of: trace, debug, info, notice, warning, error, critical")
        }
    }

    var loggers: LoggerFactory {
        LoggerFactory(level: quiet ? .error : Logger.Level(rawValue: logLevel) ?? .warning)
    }
}

/// Makes loggers that write to stderr at the chosen level (stdout stays for results).
struct LoggerFactory: Sendable {
    let level: Logger.Level

    func make(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
