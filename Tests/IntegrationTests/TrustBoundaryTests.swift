import Foundation
import Testing

// Issue 12, "Trust boundaries": a secret or a relaxed TLS check reaches only the registry it was
// given for. Each test drives the built binary as a user does and asserts what each server
// RECEIVED — the token issuers' logs (who asked, with which grant), the fault proxy's and the
// recorders' logs (method, path, the Authorization header as sent) — so a leak cannot hide behind a
// plausible exit status. Hosts that must count as "another host" are named `localhost:PORT` where a
// registry is `127.0.0.1:PORT`: another name and another port.

// MARK: - Item 1: command-line credentials, per registry and per side

/// The tests that hand out `alice` (issuer A) and `bob` (issuer B): serialized, so each can read the
/// issuers' logs since its own start and know every `alice` or `bob` line there is its own. No
/// other suite uses those accounts or registry B.
@Suite(.serialized) struct CredentialScopeTests {
    let alice: String
    let bob: String

    init() throws {
        alice = try TestServers.tokenAlicePassword()
        bob = try TestServers.tokenBBobPassword()
    }

    /// Fault proxies (no faults) in front of registries A and B: their logs show whether a run
    /// reached either registry at all, and with which Authorization.
    private func proxies() throws -> (a: FaultProxy, b: FaultProxy) {
        (try FaultProxy(upstream: try TestServers.tokenRegistry()), try FaultProxy(upstream: try TestServers.tokenRegistryB()))
    }

    @Test func bundleRefusesOneCredentialForReferencesOnTwoRegistries() throws {
        let sandbox = try Sandbox("trust-creds")
        defer { sandbox.remove() }
        let (a, b) = try proxies()
        defer { a.stop(); b.stop() }
        let logA = try TokenIssuerLog.a(), logB = try TokenIssuerLog.b()
        let markA = try logA.mark(), markB = try logB.mark()

        let result = try sandbox.run([
            "bundle", "\(a.host)/private/secret:1.0", "\(b.host)/public/hello:1.0", "--creds", "alice:\(alice)",
            "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("--creds REGISTRY=USER:PASS"), "the error names the per-registry form: \(result.stderr)")
        #expect(result.stderr.contains("airgap login"), "the error names airgap login: \(result.stderr)")
        #expect(!result.stderr.contains(alice))
        // Refused before any request: neither registry nor token service heard of it.
        #expect(try a.requests().isEmpty, "registry A was contacted:\n\(a.logText())")
        #expect(try b.requests().isEmpty, "registry B was contacted:\n\(b.logText())")
        #expect(try logA.entries(since: markA).filter { $0.user == "alice" }.isEmpty)
        let atB = try logB.entries(since: markB)
        #expect(atB.isEmpty, "issuer B was asked for tokens: \(atB)")
    }

    @Test func bundleGivesARegistrysCredentialsToThatRegistryOnly() throws {
        let sandbox = try Sandbox("trust-creds")
        defer { sandbox.remove() }
        let (a, b) = try proxies()
        defer { a.stop(); b.stop() }
        let logA = try TokenIssuerLog.a(), logB = try TokenIssuerLog.b()
        let markA = try logA.mark(), markB = try logB.mark()

        let result = try sandbox.run([
            "bundle", "\(a.host)/private/secret:1.0", "\(b.host)/public/hello:1.0", "--creds", "\(a.host)=alice:\(alice)",
            "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
        let atA = try logA.entries(since: markA).filter { $0.user == "alice" }
        #expect(!atA.isEmpty, "issuer A never saw alice")
        #expect(atA.allSatisfy { $0.grant == "basic" && $0.status == 200 }, "\(atA)")
        // B's token service saw only anonymous requests, and registry B no Basic credentials.
        let atB = try logB.entries(since: markB)
        #expect(!atB.isEmpty, "registry B's images came without a token?")
        #expect(atB.allSatisfy { $0.user == nil && $0.grant == "anonymous" }, "issuer B received credentials: \(atB)")
        #expect(try b.requests().allSatisfy { $0.authorization?.hasPrefix("Basic ") != true }, "\(b.logText())")
    }

    @Test func mirrorGivesEachSideOnlyItsOwnCredentials() throws {
        let sandbox = try Sandbox("trust-creds")
        defer { sandbox.remove() }
        let (a, b) = try proxies()
        defer { a.stop(); b.stop() }
        let logA = try TokenIssuerLog.a(), logB = try TokenIssuerLog.b()
        let markA = try logA.mark(), markB = try logB.mark()
        let destination = "\(b.host)/mirror-\(UUID().uuidString.prefix(8).lowercased())/secret:1.0"

        let result = try sandbox.run([
            "mirror", "\(a.host)/private/secret:1.0", destination,
            "--src-creds", "alice:\(alice)", "--dest-creds", "bob:\(bob)",
            "--src-tls-verify=false", "--dest-tls-verify=false", "--cache", sandbox.cache(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
        try expectSides(logA.entries(since: markA), only: "alice", logB.entries(since: markB), only: "bob")
    }

    @Test func mirrorReadsEachSidesAuthFileForThatSideOnly() throws {
        let sandbox = try Sandbox("trust-creds")
        defer { sandbox.remove() }
        let (a, b) = try proxies()
        defer { a.stop(); b.stop() }
        // Each file also holds an entry for the other side's registry: one that must not be used.
        let source = try sandbox.authFile("src-auth.json", [a.host: ("alice", alice), b.host: ("alice", alice)])
        let target = try sandbox.authFile("dest-auth.json", [b.host: ("bob", bob), a.host: ("bob", bob)])
        let logA = try TokenIssuerLog.a(), logB = try TokenIssuerLog.b()
        let markA = try logA.mark(), markB = try logB.mark()

        let result = try sandbox.run([
            "mirror", "\(a.host)/private/secret:1.0", "\(b.host)/mirror-\(UUID().uuidString.prefix(8).lowercased())/secret:1.0",
            "--src-authfile", source, "--dest-authfile", target,
            "--src-tls-verify=false", "--dest-tls-verify=false", "--cache", sandbox.cache(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
        try expectSides(logA.entries(since: markA), only: "alice", logB.entries(since: markB), only: "bob")
    }

    @Test func supportToolsGivesEachSideOnlyItsOwnCredentials() throws {
        let sandbox = try Sandbox("trust-creds")
        defer { sandbox.remove() }
        let (a, b) = try proxies()
        defer { a.stop(); b.stop() }
        let logA = try TokenIssuerLog.a(), logB = try TokenIssuerLog.b()
        let markA = try logA.mark(), markB = try logB.mark()

        let result = try sandbox.run([
            "support-tools", "--from", "\(a.host)/private/secret:1.0",
            "--to", "\(b.host)/tools-\(UUID().uuidString.prefix(8).lowercased())",
            "--src-creds", "alice:\(alice)", "--dest-creds", "bob:\(bob)",
            "--src-tls-verify=false", "--dest-tls-verify=false", "--cache", sandbox.cache(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
        try expectSides(logA.entries(since: markA), only: "alice", logB.entries(since: markB), only: "bob")
    }

    /// `--creds` without REGISTRY= would reach both sides: refused, before any request.
    @Test func mirrorRefusesOneCredentialForTwoRegistries() throws {
        let sandbox = try Sandbox("trust-creds")
        defer { sandbox.remove() }
        let (a, b) = try proxies()
        defer { a.stop(); b.stop() }
        let logB = try TokenIssuerLog.b()
        let markB = try logB.mark()

        let result = try sandbox.run([
            "mirror", "\(a.host)/private/secret:1.0", "\(b.host)/mirror-\(UUID().uuidString.prefix(8).lowercased())/secret:1.0",
            "--creds", "alice:\(alice)", "--tls-verify=false", "--cache", sandbox.cache(),
        ])

        #expect(result.status != 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("--creds"), "\(result.stderr)")
        #expect(try a.requests().isEmpty, "registry A was contacted:\n\(a.logText())")
        #expect(try b.requests().isEmpty, "registry B was contacted:\n\(b.logText())")
        let atB = try logB.entries(since: markB)
        #expect(atB.filter { $0.user == "alice" }.isEmpty, "alice's password went to registry B's token service: \(atB)")
    }

    /// Item 3: the registry is reached over https, its challenge names a plain-http realm:
    /// credentials never go there (verified TLS, and with --tls-verify=false alike).
    @Test(arguments: [["--ca-file", "CA"], ["--tls-verify=false"]])
    func aPlainHTTPRealmOfAnHTTPSRegistryNeverGetsTheCredentials(tlsArguments: [String]) throws {
        let sandbox = try Sandbox("trust-downgrade")
        defer { sandbox.remove() }
        let registry = try TestServers.tokenTLSRegistry()
        let logB = try TokenIssuerLog.b()
        let markB = try logB.mark()
        let tls = try tlsArguments.map { $0 == "CA" ? try TestServers.caFile() : $0 }

        let result = try sandbox.run(
            ["bundle", "\(registry)/public/hello:1.0", "--creds", "bob:\(bob)", "--cache", sandbox.cache(), "-o", sandbox.output()] + tls)

        let atRealm = try logB.entries(since: markB)
        #expect(atRealm.allSatisfy { $0.user == nil && $0.grant != "basic" }, "the http realm received bob's password: \(atRealm)")
        #expect(!result.stderr.contains(bob))
    }

    /// Side `alice` at issuer A and `bob` at issuer B, each with at least one accepted request.
    private func expectSides(
        _ atA: [TokenIssuerLog.Entry], only userA: String, _ atB: [TokenIssuerLog.Entry], only userB: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let authenticatedA = atA.filter { $0.user != nil }
        let authenticatedB = atB.filter { $0.user != nil }
        #expect(authenticatedA.contains { $0.user == userA && $0.status == 200 }, "issuer A: \(atA)", sourceLocation: sourceLocation)
        #expect(authenticatedB.contains { $0.user == userB && $0.status == 200 }, "issuer B: \(atB)", sourceLocation: sourceLocation)
        #expect(!authenticatedA.contains { $0.user == userB }, "the destination's user reached the source's token service: \(atA)", sourceLocation: sourceLocation)
        #expect(!authenticatedB.contains { $0.user == userA }, "the source's user reached the destination's token service: \(atB)", sourceLocation: sourceLocation)
        #expect(!authenticatedB.contains { $0.user != userB }, "issuer B: \(atB)", sourceLocation: sourceLocation)
    }

    @Test func mirrorUsesEachSidesCertificateDirectoryForThatSideOnly() throws {
        let sandbox = try Sandbox("trust-certdir")
        defer { sandbox.remove() }
        let caA = try String(contentsOfFile: try TestServers.caFile(), encoding: .utf8)
        let caB = try String(contentsOfFile: try TestServers.caFileB(), encoding: .utf8)
        let dirA = (try sandbox.write("certs-a/ca.crt", caA) as NSString).deletingLastPathComponent
        let dirB = (try sandbox.write("certs-b/ca.crt", caB) as NSString).deletingLastPathComponent
        let source = "\(try TestServers.tlsRegistry())/library/nginx:1.14-alpine"
        let destination = "\(try TestServers.tlsRegistryB())/certdir-\(UUID().uuidString.prefix(8).lowercased())/nginx:1.14-alpine"

        let right = try sandbox.run([
            "mirror", source, destination, "--src-cert-dir", dirA, "--dest-cert-dir", dirB, "--cache", sandbox.cache(),
        ])
        #expect(right.status == 0, "\(right.stderr)")

        // Swapped, neither side can verify its registry.
        let swapped = try sandbox.run([
            "mirror", source, destination + "-swapped", "--src-cert-dir", dirB, "--dest-cert-dir", dirA, "--cache", sandbox.cache(),
        ])
        #expect(swapped.status == 1, "\(swapped.stdout)\(swapped.stderr)")
    }
}

// MARK: - Items 2–9, each with fixtures of its own

@Suite struct TrustBoundaryTests {
    /// A blob-storage host (https, its certificate signed by the test CA) that answers 401 with a
    /// challenge of its own, naming a token realm on itself that would hand out a token for any
    /// credentials. The storage host is trusted through its own certs.d directory in the sandbox's
    /// home, as a user would set it up: a --ca-file given for the registry does not reach it.
    private func hostileStorage(trustedIn sandbox: Sandbox) throws -> Recorder {
        let storage = try Recorder(
            rules: [
                Recorder.Rule(
                    nil, "^/storage/", status: 401,
                    headers: ["WWW-Authenticate": #"Bearer realm="{self}/hostile/token",service="hostile-storage""#],
                    body: #"{"errors":[{"code":"UNAUTHORIZED","message":"log in to the storage host"}]}"#),
                Recorder.Rule(
                    nil, "^/hostile/token", body: #"{"token":"hostile-token","access_token":"hostile-token","expires_in":300}"#),
            ],
            certificate: try TestServers.serverCertificate(), key: try TestServers.serverKey())
        try sandbox.write("home/.config/containers/certs.d/\(storage.localhostHost)/ca.crt", try String(contentsOfFile: try TestServers.caFile(), encoding: .utf8))
        return storage
    }

    /// What a redirect to a hostile storage host may see: nothing that authenticates anyone.
    private func expectNothingLeaked(to storage: Recorder, registry proxy: FaultProxy, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let requests = try storage.requests()
        #expect(requests.contains { $0.path?.hasPrefix("/storage/") == true }, "the redirect was followed:\n\(storage.logText())", sourceLocation: sourceLocation)
        #expect(requests.allSatisfy { $0.authorization == nil }, "credentials reached the storage host:\n\(storage.logText())", sourceLocation: sourceLocation)
        #expect(
            !requests.contains { $0.path?.hasPrefix("/hostile/token") == true && $0.authorization != nil },
            "the realm the storage host named got credentials:\n\(storage.logText())", sourceLocation: sourceLocation)
        // Nor was a token from that realm shown to the registry: its challenge was never adopted.
        #expect(
            try proxy.requests().allSatisfy { $0.authorization != "Bearer hostile-token" },
            "the storage host's token went to the registry", sourceLocation: sourceLocation)
    }

    /// Item 2, token registry: the registry redirects one blob GET to the storage host.
    @Test func aRedirectTargetsChallengeNeverGetsTheTokenRegistrysCredentials() throws {
        let sandbox = try Sandbox("trust-redirect")
        defer { sandbox.remove() }
        let storage = try hostileStorage(trustedIn: sandbox)
        defer { storage.stop() }
        let proxy = try FaultProxy(upstream: try TestServers.tokenRegistry(), rules: [
            FaultProxy.Rule("GET", "/blobs/sha256:", "redirect", times: 1, location: "https://\(storage.localhostHost)/storage{path}")
        ])
        defer { proxy.stop() }

        // Not library/nginx: AuthTests counts reader's token requests for that scope. Failing, or
        // succeeding after one retry from the registry, are both fine: the exit status is not the point.
        _ = try sandbox.run([
            "bundle", "\(proxy.host)/library/httpd:2.4.38-alpine", "--creds", "reader:\(try TestServers.tokenReaderPassword())",
            "--tls-verify=false", "--ca-file", try TestServers.caFile(), "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        try expectNothingLeaked(to: storage, registry: proxy)
    }

    /// Item 2, Basic registry: the htpasswd registry's password must not follow a redirect either.
    /// Here the registry's FIRST request (the tag's HEAD) is redirected, so the storage host's
    /// challenge is the first one airgap sees: no earlier challenge of the registry's own to keep,
    /// and the same call shows whether the password is sent where that challenge says. (A blob
    /// redirected later makes airgap adopt the challenge too, but with Basic credentials it then
    /// fails the call without another request, so nothing would show the leak.)
    @Test func aRedirectTargetsChallengeNeverGetsTheBasicRegistrysPassword() throws {
        let sandbox = try Sandbox("trust-redirect")
        defer { sandbox.remove() }
        let storage = try hostileStorage(trustedIn: sandbox)
        defer { storage.stop() }
        let proxy = try FaultProxy(upstream: try TestServers.authPlainRegistry(), rules: [
            FaultProxy.Rule("HEAD", "/manifests/", "redirect", times: 1, location: "https://\(storage.localhostHost)/storage{path}")
        ])
        defer { proxy.stop() }
        let user = try TestServers.authUser(), password = try TestServers.authPassword()

        _ = try sandbox.run([
            "bundle", "\(proxy.host)/library/httpd:2.4.38-alpine", "--creds", "\(user):\(password)",
            "--tls-verify=false", "--ca-file", try TestServers.caFile(), "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        try expectNothingLeaked(to: storage, registry: proxy)
        #expect(try proxy.requests().contains { $0.fault == "redirect" }, "\(proxy.logText())")
    }

    /// Item 3 (and 4): --tls-verify=false for a registry does not reach its token realm on another
    /// host, whose certificate no CA given vouches for.
    @Test func aRealmOnAnotherHostIsVerifiedEvenWhenTheRegistryIsRelaxed() throws {
        let sandbox = try Sandbox("trust-realm-tls")
        defer { sandbox.remove() }
        let realm = try Recorder(
            rules: [Recorder.Rule(nil, "^/token", body: #"{"token":"realm-token","expires_in":300}"#)],
            certificate: try TestServers.untrustedCertificate(), key: try TestServers.untrustedKey())
        defer { realm.stop() }
        let registry = try Recorder(rules: [
            Recorder.Rule(
                nil, "^/v2/", status: 401,
                headers: ["WWW-Authenticate": #"Bearer realm="https://\#(realm.localhostHost)/token",service="relaxed""#],
                body: #"{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}"#)
        ])
        defer { registry.stop() }

        let result = try sandbox.run([
            "bundle", "\(registry.host)/trust/realm:1.0", "--creds", "someone:realm-secret-5e1",
            "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 1)
        #expect(try registry.requests().contains { $0.path == "/v2/" || $0.path?.hasPrefix("/v2/trust/realm/") == true }, "\(registry.logText())")
        #expect(try realm.requests().isEmpty, "the realm's certificate was not verified:\n\(realm.logText())")
    }

    /// Item 4: nor does it reach a redirect target on another host.
    @Test func aRedirectTargetIsVerifiedEvenWhenTheRegistryIsRelaxed() throws {
        let sandbox = try Sandbox("trust-redirect-tls")
        defer { sandbox.remove() }
        let storage = try Recorder(certificate: try TestServers.untrustedCertificate(), key: try TestServers.untrustedKey())
        defer { storage.stop() }
        let proxy = try FaultProxy(upstream: try TestServers.plainRegistry(), rules: [
            FaultProxy.Rule("GET", "/blobs/sha256:", "redirect", times: nil, location: "https://\(storage.localhostHost)/storage{path}")
        ])
        defer { proxy.stop() }

        let result = try sandbox.run([
            "bundle", "\(proxy.host)/library/nginx:1.14-alpine", "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 1)
        #expect(try proxy.requests().contains { $0.fault == "redirect" }, "\(proxy.logText())")
        #expect(try storage.requests().isEmpty, "the redirect target's certificate was not verified:\n\(storage.logText())")
    }

    /// Item 4: --tls-verify=false with a --mirror rule relaxes the mirror location, not the
    /// original registry behind the rule (tried when the mirror lacks the image).
    @Test func tlsVerifyFalseWithAMirrorRuleLeavesTheOriginalRegistryVerified() throws {
        let sandbox = try Sandbox("trust-mirror-tls")
        defer { sandbox.remove() }
        let original = try Recorder(
            rules: [Recorder.Rule(nil, "^/v2/$", body: "{}")],
            certificate: try TestServers.untrustedCertificate(), key: try TestServers.untrustedKey())
        defer { original.stop() }
        let origin = original.localhostHost
        let mirror = try TestServers.plainRegistry()

        let result = try sandbox.run([
            "bundle", "\(origin)/trust-\(UUID().uuidString.prefix(8).lowercased())/absent:1.0", "--mirror", "\(origin)=\(mirror)",
            "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 1, "the image is nowhere")
        #expect(try original.requests().isEmpty, "the original registry was contacted without verification:\n\(original.logText())")
    }

    /// Item 4: falling back to plain http for a relaxed host is said at info level.
    @Test func plainHTTPFallbackIsAnnouncedAtInfoLevel() throws {
        let sandbox = try Sandbox("trust-fallback")
        defer { sandbox.remove() }
        let registry = try TestServers.plainRegistry()

        let result = try sandbox.run([
            "bundle", "\(registry)/library/nginx:1.14-alpine", "--tls-verify=false", "--log-level", "info",
            "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
        let said = result.stderr.split(separator: "\n").contains { $0.contains(registry) && $0.lowercased().contains("plain http") }
        #expect(said, "no info line says \(registry) is used over plain http:\n\(result.stderr)")
    }

    /// Item 5: a token with CR/LF is refused; the registry never receives an injected header.
    @Test func aTokenWithCRLFIsRefusedAndInjectsNoHeader() throws {
        let sandbox = try Sandbox("trust-inject")
        defer { sandbox.remove() }
        let registry = try Recorder(rules: [
            Recorder.Rule(
                nil, "^/token",
                body: #"{"token":"good\r\nX-Injected: yes","access_token":"good\r\nX-Injected: yes","expires_in":300}"#),
            Recorder.Rule(
                nil, "^/v2/", status: 401,
                headers: ["WWW-Authenticate": #"Bearer realm="{self}/token",service="inject""#],
                body: #"{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}"#),
        ])
        defer { registry.stop() }

        let result = try sandbox.run([
            "bundle", "\(registry.host)/trust/inject:1.0", "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 1)
        let requests = try registry.requests()
        #expect(requests.contains { $0.path?.hasPrefix("/token") == true }, "the token was fetched:\n\(registry.logText())")
        #expect(requests.allSatisfy { $0.header("X-Injected").isEmpty }, "an injected header arrived:\n\(registry.logText())")
        #expect(requests.allSatisfy { $0.authorization?.hasPrefix("Bearer good") != true }, "the CR/LF token was sent:\n\(registry.logText())")
    }

    /// Item 6: --ca-file and a --cert-dir both apply: a registry signed by each CA, in one run.
    @Test func caFileAndCertDirAreBothTrusted() throws {
        let sandbox = try Sandbox("trust-ca")
        defer { sandbox.remove() }
        let certDir = (try sandbox.write("certs/ca-b.crt", try String(contentsOfFile: try TestServers.caFileB(), encoding: .utf8)) as NSString)
            .deletingLastPathComponent

        let result = try sandbox.run([
            "bundle", "\(try TestServers.tlsRegistry())/library/nginx:1.14-alpine", "\(try TestServers.tlsRegistryB())/library/httpd:2.4.38-alpine",
            "--ca-file", try TestServers.caFile(), "--cert-dir", certDir, "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Item 6: --ca-file and the certs.d directories under the home: the host's certs.d CA does not
    /// push the --ca-file CA out.
    @Test func caFileAndCertsDAreBothTrusted() throws {
        let sandbox = try Sandbox("trust-ca")
        defer { sandbox.remove() }
        let caB = try String(contentsOfFile: try TestServers.caFileB(), encoding: .utf8)
        let tls = try TestServers.tlsRegistry(), tlsB = try TestServers.tlsRegistryB()
        // CA B for both hosts; tls's certificate is signed by CA A, given as --ca-file.
        try sandbox.write("home/.config/containers/certs.d/\(tls)/ca.crt", caB)
        try sandbox.write("home/.config/containers/certs.d/\(tlsB)/ca.crt", caB)

        let result = try sandbox.run([
            "bundle", "\(tls)/library/nginx:1.14-alpine", "\(tlsB)/library/httpd:2.4.38-alpine",
            "--ca-file", try TestServers.caFile(), "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])

        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Item 7: a mirror rule whose location is a bare host never turns into a Docker Hub name. A
    /// recorder is the https/http proxy, so every host airgap tries to reach is in its log (as a
    /// CONNECT HOST:PORT or an absolute URL), and nothing reaches the network.
    @Test(arguments: MirrorRuleCase.all)
    func aMirrorRuleNeverPointsAtDockerHub(_ rule: MirrorRuleCase) throws {
        let sandbox = try Sandbox("trust-mirror-rule")
        defer { sandbox.remove() }
        let proxy = try Recorder(rules: [Recorder.Rule(nil, nil, status: 502, body: "no network here")])
        defer { proxy.stop() }
        var arguments = ["bundle", "quay.io/openshift/cli:4.15", "--cache", sandbox.cache(), "-o", sandbox.output()]
        switch rule {
        case .flag: arguments += ["--mirror", "quay.io/openshift/cli=mirror.lab"]
        case .conf(_, let text): arguments += ["--registries-conf", try sandbox.write("mirror-rule.conf", text)]
        }

        let result = try sandbox.run(arguments, environment: ["https_proxy": "http://\(proxy.host)", "http_proxy": "http://\(proxy.host)"])

        // Refusing the rule before any request is the best outcome; any request made must go to
        // the location or the original, never to Docker Hub.
        let hosts = try proxy.requests().compactMap { $0.path.map(Self.targetHost) }
        #expect(hosts.allSatisfy { $0 == "mirror.lab" || $0 == "quay.io" }, "requests went to \(hosts)")
        #expect(!(result.stdout + result.stderr).contains("docker.io/library/mirror.lab"), "\(result.stderr)")
        if result.status != 0 {
            #expect(result.stderr.contains("mirror.lab"), "the error names the rule: \(result.stderr)")
            #expect(result.stderr.contains("quay.io/openshift/cli"), "the error names the rule's prefix: \(result.stderr)")
        } else {
            #expect(!hosts.isEmpty, "the image came from somewhere without the proxy:\n\(result.stderr)")
        }
    }

    enum MirrorRuleCase: CustomTestStringConvertible, Sendable {
        case flag
        case conf(String, String)

        static let all: [MirrorRuleCase] = [
            .flag,
            .conf("location", """
                [[registry]]
                prefix = "quay.io/openshift/cli"
                location = "mirror.lab"
                """),
            .conf("registry.mirror", """
                [[registry]]
                prefix = "quay.io/openshift/cli"
                location = "quay.io/openshift/cli"
                [[registry.mirror]]
                location = "mirror.lab"
                """),
        ]

        var testDescription: String {
            switch self {
            case .flag: "--mirror quay.io/openshift/cli=mirror.lab"
            case .conf(let name, _): "registries.conf \(name) = mirror.lab"
            }
        }
    }

    /// The host of a request a proxy received: `HOST:PORT` (CONNECT) or `http://HOST[:PORT]/…`.
    static func targetHost(_ target: String) -> String {
        var rest = Substring(target)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" }
        return String(authority.split(separator: ":").first ?? authority)
    }

    /// Item 9: login --authfile LINK writes LINK's target (0600) and leaves LINK a symlink.
    @Test func loginThroughASymlinkedAuthFileWritesItsTarget() throws {
        let sandbox = try Sandbox("trust-login")
        defer { sandbox.remove() }
        let registry = try TestServers.authRegistry()
        let user = try TestServers.authUser(), password = try TestServers.authPassword()
        let target = try sandbox.authFile("real-auth.json", ["old.example": ("old", "old-secret")])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        let link = sandbox.directory + "/link-auth.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let result = try sandbox.run(
            ["login", registry, "-u", user, "--password-stdin", "--cert-dir", try TestServers.certDir(), "--authfile", link],
            stdin: password + "\n")

        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: link)
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink, "the link was replaced by a \(String(describing: attributes[.type]))")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target)
        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: target))) as? [String: Any]
        let auths = stored?["auths"] as? [String: Any]
        #expect((auths?[registry] as? [String: Any])?["auth"] as? String == Data("\(user):\(password)".utf8).base64EncodedString(), "the target lacks the new login: \(String(describing: auths))")
        #expect(auths?["old.example"] != nil, "the target's other entries were lost")
        let mode = (try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }
}
