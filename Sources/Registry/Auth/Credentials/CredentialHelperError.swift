/// A `docker-credential-NAME` helper that could not answer. "No credentials stored" is not an error
/// (the lookup returns `nil`); these are.
///
/// `message` is the helper's own complaint (its stderr, trimmed and shortened); nothing here holds
/// what was sent to the helper or a secret it printed.
public enum CredentialHelperError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A helper name that could escape the `docker-credential-` prefix (`../x`, `a/b`).
    case invalidName(String)
    /// `docker-credential-NAME` is in none of the searched directories.
    case notFound(helper: String, searched: [String])
    /// The executable exists but could not be started.
    case launchFailed(helper: String, reason: String)
    /// It exited non-zero for a reason other than "credentials not found".
    case failed(helper: String, status: Int32, message: String)
    /// It did not finish in time, and was stopped.
    case timedOut(helper: String, after: Duration)
    /// It succeeded but printed something other than `{"ServerURL","Username","Secret"}`.
    case malformedOutput(helper: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            return "credential helper name \"\(name)\" is not valid: it must not contain '/' (the program run is docker-credential-NAME)"
        case .notFound(let helper, let searched):
            let path = searched.isEmpty ? "PATH is empty" : "searched " + searched.joined(separator: ":")
            return "credential helper \(helper) not found (\(path)); install it, or remove the credHelpers/credsStore entry that names it"
        case .launchFailed(let helper, let reason):
            return "credential helper \(helper) could not be started: \(reason)"
        case .failed(let helper, let status, let message):
            let said = message.isEmpty ? "" : ": \(message)"
            return "credential helper \(helper) get failed with exit status \(status)\(said)"
        case .timedOut(let helper, let timeout):
            return "credential helper \(helper) get did not answer within \(timeout) and was stopped; "
                + "is it waiting for a password prompt or an unlocked keyring?"
        case .malformedOutput(let helper):
            return "credential helper \(helper) get printed something other than the expected JSON "
                + "{\"ServerURL\", \"Username\", \"Secret\"}"
        }
    }
}
