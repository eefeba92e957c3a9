import Foundation
import Testing

@testable import Registry

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesUpToTheCapAndStopsAtTheLimit() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: .seconds(2), maxDelay: .seconds(10))
        let delays = (1...6).map { policy.delay(afterAttempt: $0, retryAfter: nil) }
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10), nil])
    }

    @Test func retryAfterSecondsAreHonoured() {
        #expect(RetryPolicy().delay(afterAttempt: 1, retryAfter: "7") == .seconds(7))
    }

    @Test func retryAfterAsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        let delay = RetryPolicy().delay(afterAttempt: 1, retryAfter: "Sun, 06 Nov 1994 08:50:07 GMT", now: now)
        #expect(delay == .seconds(30))
    }

    @Test func anExcessiveRetryAfterGivesUp() {
        #expect(RetryPolicy(maxRetryAfter: .seconds(60)).delay(afterAttempt: 1, retryAfter: "3600") == nil)
    }

    @Test(arguments: [
        (TransportError.curl(code: 7, message: "", method: .get, url: ""), true),
        (TransportError.curl(code: 56, message: "", method: .get, url: ""), true),
        (TransportError.curl(code: 60, message: "", method: .get, url: ""), false),
        (TransportError.plainHTTPNotAllowed(url: ""), false),
    ])
    func transportErrorsThatAreWorthRetrying(error: TransportError, transient: Bool) {
        #expect(RetryPolicy.isTransient(error) == transient)
    }

    @Test(arguments: [(429, true), (500, true), (502, true), (503, true), (504, true), (404, false), (401, false), (400, false)])
    func statusesThatAreWorthRetrying(status: Int, transient: Bool) {
        let error = RegistryError.unexpectedStatus(status: status, method: .get, url: "", subject: "", errors: [])
        #expect(RetryPolicy.isTransient(error) == transient)
    }
}
