import Registry

// `WWW-Authenticate` values come from any server a user points airgap at. The input is one or
// more header values, one per line, as several `WWW-Authenticate` headers would arrive.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let values = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

    for challenge in AuthChallenge.parse(values) + AuthChallenge.parse(text) {
        if case .other(let scheme) = challenge.scheme {
            precondition(!scheme.isEmpty, "a challenge with an empty scheme from \(text.debugDescription)")
        }
        _ = challenge.realm
        _ = challenge.service
        _ = challenge.scope
        _ = challenge.error
    }
    return 0
}
