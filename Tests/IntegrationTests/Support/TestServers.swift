import Foundation
import OCI

/// The real servers started by `scripts/test-servers.sh start` (and seeded by `scripts/seed-images.sh`).
///
/// Values come from the environment, else from the script's state file `$AIRGAP_TEST_STATE/env`
/// (KEY=VALUE, no quotes, values never contain spaces). A missing value is a test failure with
/// instructions, never a skip: these tests prove the stack against real servers.
///
/// Every key the script writes has a typed accessor below, documented here where the tests read it.
/// Everything listens on 127.0.0.1 on ports picked at start; passwords are random per start.
enum TestServers {
    struct Missing: Error, CustomStringConvertible {
        let key: String
        var description: String {
            "\(key) is not set and no server state was found: run `scripts/test-servers.sh start && scripts/seed-images.sh` first (scripts/test.sh does both)"
        }
    }

    /// `AIRGAP_TEST_STATE`: the state directory (configs, pid files, logs, storage, CAs), default
    /// `/tmp/airgap-test-servers`; `scripts/test-servers.sh stop` deletes it.
    static var stateDirectory: String {
        ProcessInfo.processInfo.environment["AIRGAP_TEST_STATE"] ?? "/tmp/airgap-test-servers"
    }

    private static let stateFile: [String: String] = {
        guard let text = try? String(contentsOfFile: stateDirectory + "/env", encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }()

    static func value(_ key: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[key], !value.isEmpty { return value }
        if let value = stateFile[key], !value.isEmpty { return value }
        throw Missing(key: key)
    }

    // MARK: - Plain and TLS registries (docker-registry 2.8, no auth)

    /// `AIRGAP_TEST_REGISTRY`: `host:port` of the plain-http registry. seed-images.sh pushes every
    /// seed image here (see ``seededList()``).
    static func plainRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY") }
    /// `AIRGAP_TEST_REGISTRY_TLS`: `host:port` of the https registry whose certificate is signed by
    /// ``caFile()`` (CA A); seeded like the plain one.
    static func tlsRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY_TLS") }
    /// `AIRGAP_TEST_CA`: PEM file of CA A, the test CA. Its server certificate
    /// (``serverCertificate()``) covers `IP:127.0.0.1` and `DNS:localhost`.
    static func caFile() throws -> String { try value("AIRGAP_TEST_CA") }
    /// `AIRGAP_TEST_CERT_DIR`: a directory holding only CA A as `ca.crt`, for skopeo/podman
    /// `--cert-dir` style options.
    static func certDir() throws -> String { try value("AIRGAP_TEST_CERT_DIR") }
    /// `AIRGAP_TEST_SERVER_CERT`: the server certificate CA A signed (127.0.0.1, localhost), for
    /// per-test https fixtures a client trusts through ``caFile()``.
    static func serverCertificate() throws -> String { try value("AIRGAP_TEST_SERVER_CERT") }
    /// `AIRGAP_TEST_SERVER_KEY`: the key of ``serverCertificate()``.
    static func serverKey() throws -> String { try value("AIRGAP_TEST_SERVER_KEY") }
    /// `AIRGAP_TEST_REGISTRY_TLS_B`: `host:port` of a second https registry, serving the TLS
    /// registry's storage (so it holds the same seed images) with a certificate signed by CA B
    /// (``caFileB()``): for runs that must trust two private CAs at once.
    static func tlsRegistryB() throws -> String { try value("AIRGAP_TEST_REGISTRY_TLS_B") }
    /// `AIRGAP_TEST_CA_B`: PEM file of CA B, a second throwaway CA.
    static func caFileB() throws -> String { try value("AIRGAP_TEST_CA_B") }
    /// `AIRGAP_TEST_UNTRUSTED_CERT`: a server certificate for 127.0.0.1 and localhost signed by a CA
    /// that no test ever trusts: a host serving it must fail verification.
    static func untrustedCertificate() throws -> String { try value("AIRGAP_TEST_UNTRUSTED_CERT") }
    /// `AIRGAP_TEST_UNTRUSTED_KEY`: the key of ``untrustedCertificate()``.
    static func untrustedKey() throws -> String { try value("AIRGAP_TEST_UNTRUSTED_KEY") }

    // MARK: - htpasswd registries (Basic auth)

    /// `AIRGAP_TEST_REGISTRY_AUTH`: `host:port` of the https registry (CA A) with htpasswd Basic auth.
    static func authRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY_AUTH") }
    /// `AIRGAP_TEST_REGISTRY_AUTH_PLAIN`: a second process over plain http with the same htpasswd
    /// file and the SAME storage as ``authRegistry()`` (Distribution 2.8.2 accepts Basic auth over
    /// plain http), so seeding one seeds both.
    static func authPlainRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY_AUTH_PLAIN") }
    /// `AIRGAP_TEST_AUTH_USER`: the user both htpasswd registries accept.
    static func authUser() throws -> String { try value("AIRGAP_TEST_AUTH_USER") }
    /// `AIRGAP_TEST_AUTH_PASSWORD`: its password (random per start; never committed).
    static func authPassword() throws -> String { try value("AIRGAP_TEST_AUTH_PASSWORD") }
    /// `AIRGAP_TEST_AUTH_REALM`: the Basic realm both announce.
    static func authRealm() throws -> String { try value("AIRGAP_TEST_AUTH_REALM") }
    /// `AIRGAP_TEST_AUTH_FILE`: a containers-auth.json(5) file with those credentials for both.
    static func authFile() throws -> String { try value("AIRGAP_TEST_AUTH_FILE") }

    // MARK: - nginx: redirects and a header echo on two ports (two "hosts")

    /// `AIRGAP_TEST_REDIRECT_BASE`: `http://127.0.0.1:PORT`, the redirecting side.
    static func redirectBase() throws -> String { try value("AIRGAP_TEST_REDIRECT_BASE") }
    /// `AIRGAP_TEST_ECHO_BASE`: `http://127.0.0.1:PORT2`, the same nginx's second port (another origin).
    static func echoBase() throws -> String { try value("AIRGAP_TEST_ECHO_BASE") }
    /// `AIRGAP_TEST_REDIRECT_TO_REGISTRY`: append a registry path: `…/redirect-to-registry/v2/…`
    /// answers 307 to `http://AIRGAP_TEST_REGISTRY/v2/…`, query kept.
    static func redirectToRegistry() throws -> String { try value("AIRGAP_TEST_REDIRECT_TO_REGISTRY") }
    /// `AIRGAP_TEST_REDIRECT_TO_ECHO`: 307 to ``echoURL()`` (another port).
    static func redirectToEcho() throws -> String { try value("AIRGAP_TEST_REDIRECT_TO_ECHO") }
    /// `AIRGAP_TEST_REDIRECT_TO_ECHO_LOCALHOST`: 307 to `http://localhost:PORT2/echo-headers`
    /// (another host name and port).
    static func redirectToEchoLocalhost() throws -> String { try value("AIRGAP_TEST_REDIRECT_TO_ECHO_LOCALHOST") }
    /// `AIRGAP_TEST_REDIRECT_TO_ECHO_SAME_HOST`: 307 to `REDIRECT_BASE/echo-headers` (same host:port).
    static func redirectToEchoSameHost() throws -> String { try value("AIRGAP_TEST_REDIRECT_TO_ECHO_SAME_HOST") }
    /// `AIRGAP_TEST_REDIRECT_TO_FILE`: 307 to `file:///etc/passwd` (must be refused).
    static func redirectToFile() throws -> String { try value("AIRGAP_TEST_REDIRECT_TO_FILE") }
    /// `AIRGAP_TEST_REDIRECT_LOOP`: 307 to itself forever (redirect limits).
    static func redirectLoop() throws -> String { try value("AIRGAP_TEST_REDIRECT_LOOP") }
    /// `AIRGAP_TEST_ECHO_URL`: `ECHO_BASE/echo-headers`, whose body is
    /// `"authorization=[<Authorization header>]\nhost=[<Host>]\n"` (also served at `REDIRECT_BASE/echo-headers`).
    static func echoURL() throws -> String { try value("AIRGAP_TEST_ECHO_URL") }

    // MARK: - Token registry A and its issuer

    /// `AIRGAP_TEST_REGISTRY_TOKEN`: `host:port` of the plain-http registry with Docker token auth
    /// (`auth: token`): clients get a JWT from the issuer named in its Bearer challenge,
    /// testdata/token-issuer/issuer.py (its docstring has the protocol details). seed-images.sh
    /// pushes the seed images plus `private/secret:1.0` and `public/hello:1.0` to it as `seeder`.
    ///
    /// Users (random passwords) and ACL: an action is granted only when asked for AND allowed; a
    /// resource with nothing granted is left out of the token.
    /// - anonymous: pull on `public/*`
    /// - `reader`: pull on `public/*`, `library/*`, `pause`
    /// - `writer`: pull,push on `private/*`; pull on `public/*`, `library/*`, `pause`
    /// - `shortlived`: reader's rights, tokens living ``tokenShortlivedExpiresIn()`` seconds
    /// - `alice`: pull on `private/*` and `public/*`: the account of the cross-registry leak tests
    ///   (issue 12), used by no other test, so the issuer logs of both token registries tell
    ///   whether her password went anywhere else
    /// - `seeder`: every action on everything (incl. `registry:catalog:*`)
    ///
    /// Lifetimes: `expires_in` is ``tokenExpiresIn()``. The registry accepts a token exactly
    /// `expires_in` seconds (it adds a fixed 60 s leeway to `exp`; the issuer writes
    /// `exp = iat + lifetime - 60` to cancel it), then answers 401 `invalid_token`.
    static func tokenRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY_TOKEN") }
    /// `AIRGAP_TEST_TOKEN_REALM`: `http://127.0.0.1:PORT/token`, the issuer's token endpoint.
    static func tokenRealm() throws -> String { try value("AIRGAP_TEST_TOKEN_REALM") }
    /// `AIRGAP_TEST_TOKEN_SERVICE`: the service name (the registry's challenge, the JWT's `aud`).
    static func tokenService() throws -> String { try value("AIRGAP_TEST_TOKEN_SERVICE") }
    /// `AIRGAP_TEST_TOKEN_ISSUER`: the issuer name (the JWT's `iss`).
    static func tokenIssuer() throws -> String { try value("AIRGAP_TEST_TOKEN_ISSUER") }
    /// `AIRGAP_TEST_TOKEN_CONTROL`: `http://127.0.0.1:PORT/control`. POST answers the current
    /// overrides as JSON (GET shows them); `&user=NAME` scopes an override to one account
    /// (`""` = anonymous), so parallel tests do not disturb each other:
    /// - `CONTROL/expiry?seconds=N[&registry_seconds=M][&user=U][&count=K]`: `expires_in` of the
    ///   NEXT tokens (only the next K with `count`); the registry refuses them after M s (default
    ///   N), or from the start when M < 0: an expired token, without waiting for one
    /// - `CONTROL/delay?ms=N[&user=U]`: answer token requests late
    /// - `CONTROL/fail?count=N[&status=503][&user=U]`: the next N token requests fail with STATUS
    /// - `CONTROL/revoke-refresh-tokens`; `CONTROL/reset[?user=U]` drops every override (or U's)
    static func tokenControl() throws -> String { try value("AIRGAP_TEST_TOKEN_CONTROL") }
    /// `AIRGAP_TEST_TOKEN_LOG`: the issuer's request log, one JSON line per token request:
    /// `{"time","method","grant" (anonymous|basic|password|refresh_token),"user","service",
    /// "client_id","offline","scopes_requested","scopes_granted","status","expires_in","jti","error"}`;
    /// never passwords or tokens. `user` is the name tried, also when its password is wrong. Its
    /// first line is test-servers.sh's own check (reader); seed-images.sh's ACL checks follow:
    /// tests count lines they add (``TokenIssuerLog``), not totals.
    static func tokenLog() throws -> String { try value("AIRGAP_TEST_TOKEN_LOG") }
    /// `AIRGAP_TEST_TOKEN_EXPIRES_IN`: default token lifetime in seconds (300;
    /// `AIRGAP_TEST_TOKEN_EXPIRES_IN` in the environment of `start` overrides it, for both issuers).
    static func tokenExpiresIn() throws -> String { try value("AIRGAP_TEST_TOKEN_EXPIRES_IN") }
    /// `AIRGAP_TEST_TOKEN_READER_PASSWORD`: password of `reader`.
    static func tokenReaderPassword() throws -> String { try value("AIRGAP_TEST_TOKEN_READER_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_WRITER_PASSWORD`: password of `writer`.
    static func tokenWriterPassword() throws -> String { try value("AIRGAP_TEST_TOKEN_WRITER_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_SHORTLIVED_PASSWORD`: password of `shortlived`.
    static func tokenShortlivedPassword() throws -> String { try value("AIRGAP_TEST_TOKEN_SHORTLIVED_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_SHORTLIVED_EXPIRES_IN`: lifetime of `shortlived`'s tokens (2).
    static func tokenShortlivedExpiresIn() throws -> String { try value("AIRGAP_TEST_TOKEN_SHORTLIVED_EXPIRES_IN") }
    /// `AIRGAP_TEST_TOKEN_ALICE_PASSWORD`: password of `alice`.
    static func tokenAlicePassword() throws -> String { try value("AIRGAP_TEST_TOKEN_ALICE_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_SEEDER_PASSWORD`: password of `seeder`.
    static func tokenSeederPassword() throws -> String { try value("AIRGAP_TEST_TOKEN_SEEDER_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE`: containers-auth.json(5) with seeder's credentials for
    /// the token registry (for skopeo `--authfile`).
    static func tokenSeederAuthFile() throws -> String { try value("AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE") }

    // MARK: - Token registry B, with an issuer of its own

    /// `AIRGAP_TEST_REGISTRY_TOKEN_B`: `host:port` of a second plain-http token registry whose
    /// realm is a SECOND issuer process (other port, service, issuer name, signing key, users and
    /// passwords), so a test can tell which token service a credential reached. Holds
    /// `private/secret:1.0` and `public/hello:1.0` (pushed as its own `seeder`).
    ///
    /// Users and ACL: anonymous pull on `public/*`; `bob` pull,push on every repository; `seeder`
    /// everything. Its log (``tokenBLog()``) starts with two lines for bob: test-servers.sh's checks
    /// of this registry and of ``tokenTLSRegistry()``.
    static func tokenRegistryB() throws -> String { try value("AIRGAP_TEST_REGISTRY_TOKEN_B") }
    /// `AIRGAP_TEST_TOKEN_B_REALM`: `http://127.0.0.1:PORT/token` of issuer B.
    static func tokenBRealm() throws -> String { try value("AIRGAP_TEST_TOKEN_B_REALM") }
    /// `AIRGAP_TEST_TOKEN_B_SERVICE`: registry B's service name (differs from ``tokenService()``).
    static func tokenBService() throws -> String { try value("AIRGAP_TEST_TOKEN_B_SERVICE") }
    /// `AIRGAP_TEST_TOKEN_B_ISSUER`: issuer B's name.
    static func tokenBIssuer() throws -> String { try value("AIRGAP_TEST_TOKEN_B_ISSUER") }
    /// `AIRGAP_TEST_TOKEN_B_CONTROL`: issuer B's control API (as ``tokenControl()``).
    static func tokenBControl() throws -> String { try value("AIRGAP_TEST_TOKEN_B_CONTROL") }
    /// `AIRGAP_TEST_TOKEN_B_LOG`: issuer B's request log (format of ``tokenLog()``).
    static func tokenBLog() throws -> String { try value("AIRGAP_TEST_TOKEN_B_LOG") }
    /// `AIRGAP_TEST_TOKEN_B_BOB_PASSWORD`: password of `bob` at issuer B.
    static func tokenBBobPassword() throws -> String { try value("AIRGAP_TEST_TOKEN_B_BOB_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_B_SEEDER_PASSWORD`: password of issuer B's `seeder`.
    static func tokenBSeederPassword() throws -> String { try value("AIRGAP_TEST_TOKEN_B_SEEDER_PASSWORD") }
    /// `AIRGAP_TEST_TOKEN_B_SEEDER_AUTH_FILE`: containers-auth.json(5) with that seeder for registry B.
    static func tokenBSeederAuthFile() throws -> String { try value("AIRGAP_TEST_TOKEN_B_SEEDER_AUTH_FILE") }
    /// `AIRGAP_TEST_REGISTRY_TOKEN_TLS`: `host:port` of an https registry (CA A) serving registry B's
    /// storage with B's token auth, whose challenge names issuer B's PLAIN-HTTP realm: reaching it
    /// over https and sending a password to that realm would be a downgrade.
    static func tokenTLSRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY_TOKEN_TLS") }

    // MARK: - Proxy and oracles

    /// `AIRGAP_TEST_PROXY`: `http://127.0.0.1:PORT`, a tinyproxy (CONNECT to any port, no upstream).
    static func proxy() throws -> String { try value("AIRGAP_TEST_PROXY") }
    /// `AIRGAP_TEST_PROXY_LOG`: tinyproxy's log (LogLevel Info): each proxied request is one
    /// "Request (file descriptor N): GET http://..." or "... CONNECT 127.0.0.1:PORT ..." line.
    /// start's own probe (GET AIRGAP_TEST_REGISTRY/v2/) is the first one there.
    static func proxyLog() throws -> String { try value("AIRGAP_TEST_PROXY_LOG") }
    /// `AIRGAP_TEST_CONTAINERD_ADDRESS`: containerd's gRPC unix socket, for `ctr --address` (use
    /// one namespace per test: `ctr -n`). containerd 1.6 runs as a plain background process with
    /// its own config, root and state; CRI, the opt plugin and the snapshotters that cannot work
    /// here (aufs, btrfs, zfs, devmapper) are disabled.
    static func containerdAddress() throws -> String { try value("AIRGAP_TEST_CONTAINERD_ADDRESS") }
    /// `AIRGAP_TEST_CONTAINERD_SNAPSHOTTER`: the snapshotter to unpack into, `native` (pass it as
    /// `ctr images import --snapshotter`; the client-side default, overlayfs, is not what tests use).
    static func containerdSnapshotter() throws -> String { try value("AIRGAP_TEST_CONTAINERD_SNAPSHOTTER") }
    /// `AIRGAP_TEST_DOCKER_HOST`: `unix://…/docker.sock` of a dockerd 20.10 (Debian's docker.io)
    /// with its own data root, exec root and daemon.json under the state directory, on the
    /// containerd above, vfs storage, no iptables and no bridge: the oracle for `docker load`
    /// (``DockerEngine``). One daemon for every test: load names no other test loads.
    static func dockerHost() throws -> String { try value("AIRGAP_TEST_DOCKER_HOST") }
    /// `AIRGAP_TEST_DOCKER_CLIENT`: the docker client to talk to it with (Debian's `/usr/bin/docker`
    /// when present: another client may come first on PATH).
    static func dockerClient() throws -> String { try value("AIRGAP_TEST_DOCKER_CLIENT") }

    // MARK: - Seeding (written by scripts/seed-images.sh)

    /// `AIRGAP_TEST_SEEDED_LIST`: one line per pushed image, `REGISTRY/NAME:TAG MEDIATYPE DIGEST`
    /// (`AIRGAP_TEST_SEEDED=1` says seeding completed).
    static func seededList() throws -> String { try value("AIRGAP_TEST_SEEDED_LIST") }

    /// Digest of a seeded image as skopeo pushed it (from `seeded.txt`), so tests compare with a
    /// second, independent client rather than with hard-coded values.
    static func seededDigest(of name: String, registry: String) throws -> String {
        let list = try String(contentsOfFile: try seededList(), encoding: .utf8)
        for line in list.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "\(registry)/\(name)" { return String(fields[2]) }
        }
        throw Missing(key: "seeded image \(registry)/\(name)")
    }
}
