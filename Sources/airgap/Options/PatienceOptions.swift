import ArgumentParser
import Registry

/// How long to wait for registries and how often to try again: skopeo's `--retry-times`, and a
/// stall timeout so that a registry that accepts and never answers fails instead of holding a run.
/// Every command that talks to registries has them.
struct PatienceOptions: ParsableArguments {
    @Option(name: .customLong("retry-times"), help: ArgumentHelp(
        "Try a failing request (a reset, 5xx, 429, a stall) this many more times, with growing waits.", valueName: "n"))
    var retryTimes: Int = RetryPolicy().maxAttempts - 1

    @Option(name: .customLong("stall-timeout"), help: ArgumentHelp(
        "Give up a request after this many seconds without data (then it is retried).", valueName: "seconds"))
    var stallTimeout: Int = HTTPRequest.defaultStallTimeout

    func validate() throws {
        guard (0...20).contains(retryTimes) else { throw ValidationError("--retry-times must be between 0 and 20") }
        guard (1...3600).contains(stallTimeout) else { throw ValidationError("--stall-timeout must be between 1 and 3600 seconds") }
    }

    /// `access` with this command's retry budget and stall timeout.
    func tuned(_ access: RegistryAccess) -> RegistryAccess {
        var tuned = access
        tuned.retry = RetryPolicy(maxAttempts: retryTimes + 1)
        tuned.stallTimeout = stallTimeout
        return tuned
    }
}
