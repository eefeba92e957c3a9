import Testing

@testable import Registry

@Suite struct AuthChallengeTests {
    @Test(arguments: [
        (#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#,
         [AuthChallenge(scheme: .bearer, parameters: ["realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/busybox:pull"])]),
        (#"Bearer realm="https://r/token",scope="repository:a:pull,push repository:b:pull""#,
         [AuthChallenge(scheme: .bearer, parameters: ["realm": "https://r/token", "scope": "repository:a:pull,push repository:b:pull"])]),
        (#"Basic realm="Registry Realm""#, [AuthChallenge(scheme: .basic, parameters: ["realm": "Registry Realm"])]),
        (#"basic REALM="x""#, [AuthChallenge(scheme: .basic, parameters: ["realm": "x"])]),
        (#"Basic realm="a, b", Bearer realm="https://t/token", service="s""#,
         [AuthChallenge(scheme: .basic, parameters: ["realm": "a, b"]), AuthChallenge(scheme: .bearer, parameters: ["realm": "https://t/token", "service": "s"])]),
        (#"Bearer realm="https://t/token",error="insufficient_scope",scope="repository:x:push""#,
         [AuthChallenge(scheme: .bearer, parameters: ["realm": "https://t/token", "error": "insufficient_scope", "scope": "repository:x:push"])]),
        (#"Bearer realm="say \"hi\"""#, [AuthChallenge(scheme: .bearer, parameters: ["realm": #"say "hi""#])]),
        ("Bearer realm=https://t/token,service=s", [AuthChallenge(scheme: .bearer, parameters: ["realm": "https://t/token", "service": "s"])]),
        ("Negotiate", [AuthChallenge(scheme: .other("Negotiate"), parameters: [:])]),
        ("", []),
    ])
    func parsesChallengesAsRFC9110Writes(header: String, expected: [AuthChallenge]) {
        #expect(AuthChallenge.parse(header) == expected)
    }

    /// Issue 12, item 8: an auth-param before the first scheme (RFC 9110 allows none there, but
    /// servers send one) is skipped, and the challenges after it are still read.
    @Test(arguments: [
        (#"parameter=unused, Bearer realm="https://r/token",service="s""#,
         AuthChallenge(scheme: .bearer, parameters: ["realm": "https://r/token", "service": "s"])),
        (#"a=1, b="2, still b", Bearer realm="https://r/token""#,
         AuthChallenge(scheme: .bearer, parameters: ["realm": "https://r/token"])),
        (#"stray="x", Basic realm="Registry Realm""#, AuthChallenge(scheme: .basic, parameters: ["realm": "Registry Realm"])),
    ])
    func aStrayLeadingParameterDoesNotHideTheChallengeAfterIt(header: String, expected: AuthChallenge) {
        let usable = AuthChallenge.parse(header).filter { $0.scheme == .bearer || $0.scheme == .basic }
        #expect(usable == [expected])
    }

    @Test func severalHeaderValuesAreAllRead() {
        let challenges = AuthChallenge.parse([#"Basic realm="a""#, #"Bearer realm="b""#])
        #expect(challenges.map(\.scheme) == [.basic, .bearer])
    }
}
