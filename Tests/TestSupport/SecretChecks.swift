import Foundation
import Testing

/// Checks that no way of printing `error` shows any of `secrets`, or their base64 forms.
public func expectNoSecret(_ error: (any Error)?, _ secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return
    }
    let texts = ["\(error)", String(reflecting: error), error.localizedDescription, (error as NSError).description]
    for secret in secrets {
        let forms = [secret, Data(secret.utf8).base64EncodedString()]
        for text in texts {
            for form in forms {
                #expect(!text.contains(form), "error text shows a secret: \(text)", sourceLocation: sourceLocation)
            }
        }
    }
}
