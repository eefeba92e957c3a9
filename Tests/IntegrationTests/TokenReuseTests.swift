import Foundation
import Testing

/// How many tokens a run asks for, counted from what the token issuer RECEIVED: one per repository
/// and scope set, reused by every request that needs it, as containers/image caches them. A
/// source repository gets one pull token; a destination repository one `pull,push` token, from
/// the tag check on, plus one per repository it mounts from (the mount names both).
///
/// Every repository is under a prefix of this test's own, so its requests are told apart from
/// other tests' in the shared issuer's log by their scopes alone.
@Suite struct TokenReuseTests {
    let registry: String
    let writer: String
    let prefix = "private/tally-\(UUID().uuidString.lowercased().prefix(8))"
    /// Seeded images sharing the busybox base layer (so the mirror mounts it), two of them indexes.
    let images = ["library/busybox:1.29", "library/httpd:2.4.38-alpine", "library/nginx:1.14-alpine", "pause:3.2"]

    init() throws {
        registry = try TestServers.tokenRegistry()
        writer = try TestServers.tokenWriterPassword()
    }

    private func source(_ index: Int) -> String { "\(prefix)/src-\(index)" }
    private func destination(_ index: Int) -> String { "\(prefix)/dst-\(index)" }

    /// This test's entries since `mark`: those whose scopes name its prefix.
    private func requests(_ log: TokenIssuerLog, since mark: Int) throws -> [TokenIssuerLog.Entry] {
        try log.entries(since: mark).filter { $0.scopesRequested.contains { $0.contains("\(prefix)/") } }
    }

    /// Each request's scope set, sorted, as one string: `repository:A:pull repository:B:pull,push`.
    private func scopeSets(_ entries: [TokenIssuerLog.Entry]) -> [String] {
        entries.map { $0.scopesRequested.sorted().joined(separator: " ") }
    }

    /// The seeded images copied, without tokens (the plain registry is the source), into this
    /// test's source repositories at the token registry.
    private func seed(_ sandbox: Sandbox) throws {
        let plain = try TestServers.plainRegistry()
        let mapping = images.enumerated().map { "\(plain)/\($1)=\(registry)/\(source($0)):1" }.joined(separator: "\n")
        let result = try sandbox.run([
            "mirror", "-q", "-f", try sandbox.write("seed.txt", mapping + "\n"), "--dest-creds", "writer:\(writer)", "--tls-verify=false",
        ])
        try #require(result.status == 0, "\(result.stderr)")
    }

    @Test func aMirrorAsksOneTokenPerRepositoryAndScopeSet() throws {
        let sandbox = try Sandbox("token-reuse")
        defer { sandbox.remove() }
        try seed(sandbox)
        let log = try TokenIssuerLog.a()
        let count = images.count
        let mapping = try sandbox.write(
            "mapping.txt", (0..<count).map { "\(registry)/\(source($0)):1=\(registry)/\(destination($0)):1" }.joined(separator: "\n") + "\n")
        let sources = Set((0..<count).map { "repository:\(source($0)):pull" })
        let destinations = Set((0..<count).map { "repository:\(destination($0)):pull,push" })

        let coldMark = try log.mark()
        let cold = try sandbox.run(["mirror", "-q", "-f", mapping, "--creds", "writer:\(writer)", "--tls-verify=false"])
        try #require(cold.status == 0, "\(cold.stderr)")
        let coldEntries = try requests(log, since: coldMark)
        let coldSets = scopeSets(coldEntries)
        #expect(coldEntries.allSatisfy { $0.user == "writer" && $0.status == 200 }, "\(coldEntries)")
        #expect(coldSets.count == Set(coldSets).count, "a scope set was asked for twice: \(coldSets.sorted())")
        // One pull token per source, one pull,push token per destination (none for pull alone:
        // the tag check asks with push rights too), and the mounts' tokens.
        #expect(Set(coldSets).intersection(sources) == sources, "\(coldSets.sorted())")
        #expect(Set(coldSets).intersection(destinations) == destinations, "\(coldSets.sorted())")
        let mounts = coldSets.filter { !sources.contains($0) && !destinations.contains($0) }
        #expect(mounts.allSatisfy { set in
            let scopes = set.split(separator: " ").map(String.init)
            return scopes.count == 2 && scopes.contains { destinations.contains($0) } && scopes.contains { $0.hasSuffix(":pull") }
        }, "not a mount's scope set: \(mounts)")
        // The shared base layer goes up once and is mounted into each other destination.
        #expect(mounts.count == count - 1, "\(mounts)")
        #expect(coldEntries.count == 3 * count - 1, "\(coldSets.sorted())")

        // Nothing to copy: the source's tags and the destination's tags, one token each.
        let noopMark = try log.mark()
        let noop = try sandbox.run(["mirror", "-q", "-f", mapping, "--creds", "writer:\(writer)", "--tls-verify=false"])
        try #require(noop.status == 0, "\(noop.stderr)")
        let noopSets = scopeSets(try requests(log, since: noopMark))
        #expect(noopSets.sorted() == sources.union(destinations).sorted(), "\(noopSets.sorted())")
        #expect(noopSets.count == 2 * count)
    }

    @Test func aBundleAsksOnePullTokenPerRepository() throws {
        let sandbox = try Sandbox("token-reuse")
        defer { sandbox.remove() }
        try seed(sandbox)
        let log = try TokenIssuerLog.a()
        let list = try sandbox.write("images.txt", (0..<images.count).map { "\(registry)/\(source($0)):1" }.joined(separator: "\n") + "\n")

        let mark = try log.mark()
        let result = try sandbox.run([
            "bundle", "-q", "-f", list, "--creds", "writer:\(writer)", "--tls-verify=false", "--cache", sandbox.cache(), "-o", sandbox.output(),
        ])
        try #require(result.status == 0, "\(result.stderr)")
        let sets = scopeSets(try requests(log, since: mark))
        #expect(sets.sorted() == (0..<images.count).map { "repository:\(source($0)):pull" }.sorted(), "\(sets.sorted())")
    }
}
