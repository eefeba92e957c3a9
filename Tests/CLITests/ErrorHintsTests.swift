import Archive
import Foundation
import Inventory
import OCI
import Registry
import Testing

@testable import Mirror
@testable import airgap

/// The CLI adds the fix to a library's facts, in the user's words: its own flags and commands.
@Suite struct ErrorHintsTests {
    @Test(arguments: [
        (401, "airgap login"),
        (403, "check that these credentials may use this repository"),
        (404, "check the image name, tag or digest"),
        (429, "log in for a higher limit"),
        (503, "retry later"),
    ])
    func statusErrorsSayWhatToDo(status: Int, hint: String) {
        let error = RegistryError.unexpectedStatus(status: status, method: .get, url: "https://r.example/v2/a/manifests/b", subject: "manifest r.example/a:b", errors: [])
        let message = ErrorHints.message(for: error)
        #expect(message.hasPrefix(error.description + "; "))
        #expect(message.contains(hint))
    }

    @Test func missingCredentialsSayHowToLogInToThatRegistry() {
        let error = RegistryError.unauthorized(registry: "registry.example.com", credentialSource: nil, errors: [])
        #expect(ErrorHints.message(for: error).contains("`airgap login registry.example.com`, or pass --creds or --authfile"))
    }

    @Test func rejectedCredentialsSayToCheckThem() {
        let error = RegistryError.unauthorized(registry: "registry.example.com", credentialSource: "auth.json", errors: [])
        #expect(ErrorHints.message(for: error).contains("check the user name and password"))
    }

    /// login is where credentials are checked: a refusal says to check them, not to log in again.
    @Test func aRejectedLoginSaysToCheckTheNameAndPasswordOnly() {
        let rejected = RegistryError.unauthorized(registry: "registry.example.com", credentialSource: "this login (user u)", errors: [])
        #expect(ErrorHints.loginMessage(for: rejected) == rejected.description + "; check the user name and password")
        let status = RegistryError.unexpectedStatus(status: 401, method: .get, url: "https://r.example/v2/", subject: "registry r.example", errors: [])
        #expect(ErrorHints.loginMessage(for: status) == status.description + "; check the user name and password")
        // Anything else reads as in every other command.
        let missing = AuthFileError.empty(path: "/dev/null")
        #expect(ErrorHints.loginMessage(for: missing) == ErrorHints.message(for: missing))
    }

    @Test func anEmptyAuthFileSaysWhatAnEmptyOneHolds() {
        let message = ErrorHints.message(for: AuthFileError.empty(path: "/dev/null"))
        #expect(message.hasPrefix("auth file /dev/null is empty; an auth file is a JSON object such as {\"auths\": {}}; write {}"))
        #expect(!message.contains("permission"))
    }

    @Test func certificateProblemsNameTheFlagsThatFixThem() {
        let error = TransportError.curl(code: 60, message: "SSL certificate problem", method: .get, url: "https://r.example/v2/")
        #expect(ErrorHints.message(for: error).contains("--cert-dir"))
        #expect(ErrorHints.message(for: error).contains("--tls-verify=false"))
        #expect(ErrorHints.hint(for: TransportError.curl(code: 7, message: "refused", method: .get, url: ""))?.contains("nothing listens") == true)
        #expect(ErrorHints.hint(for: TransportError.curl(code: 56, message: "reset", method: .get, url: "")) == nil)
    }

    @Test func aHintReachesThroughTheErrorsThatWrapIt() throws {
        let reference = try ImageReference("registry.example.com/a:1")
        let inner = RegistryError.unauthorized(registry: "registry.example.com", credentialSource: nil, errors: [])
        #expect(ErrorHints.hint(for: BlobFailure(image: reference, underlying: inner)) != nil)
        #expect(ErrorHints.hint(for: ResolveError(reference: reference, attempts: [.init(source: reference, error: inner)])) != nil)
    }

    @Test func aFullCacheDiskSuggestsAnotherCache() {
        #expect(ErrorHints.message(for: BlobStoreError.io(path: "/c/x", operation: "write", errno: ENOSPC)).contains("--cache DIR"))
        #expect(ErrorHints.hint(for: BlobStoreError.io(path: "/c/x", operation: "write", errno: EIO)) == nil)
    }

    @Test func anErrorWithoutAFixIsItsOwnMessage() {
        let error = RegistryError.malformedResponse(subject: "s", reason: "r")
        #expect(ErrorHints.message(for: error) == error.description)
    }
}
