import Foundation

/// The keys of an auth file's `auths` and `credHelpers` maps, in every form tools have written them,
/// reduced to one comparable form.
///
/// podman writes `quay.io` or `quay.io/ns/repo`; docker writes `https://index.docker.io/v1/` for
/// Docker Hub, and for years `docker login` stored whatever URL it was given
/// (`http://registry.example.com:5000/v2/`). containers/image matches all of these
/// (`normalizeAuthFileKey` in pkg/docker/config/config.go), and so do we.
public enum AuthFileKey {
    /// Every name Docker Hub goes by; all of them mean `docker.io` here.
    static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]

    /// The key docker itself uses for Docker Hub, in config.json and towards credential helpers.
    public static let dockerHubLegacyKey = "https://index.docker.io/v1/"

    /// `key` without scheme, API version suffix or trailing slash, with Docker Hub's aliases as
    /// `docker.io`: `https://index.docker.io/v1/` → `docker.io`,
    /// `http://registry.example.com:5000/v2/` → `registry.example.com:5000`, `quay.io/ns` unchanged.
    public static func canonical(_ key: String) -> String {
        var text = Substring(key.trimmingCharacters(in: .whitespacesAndNewlines))
        var hadScheme = false
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
            hadScheme = true
        }
        // `/v1/` and `/v2/` are API roots, never namespaces, when they end a URL or carry the trailing
        // slash docker wrote; a bare `host/v2` without a scheme could be a real namespace, so it stays.
        for version in ["/v1/", "/v2/"] where text.hasSuffix(version) {
            text = text.dropLast(version.count)
        }
        while text.hasSuffix("/") { text = text.dropLast() }
        if hadScheme {
            for version in ["/v1", "/v2"] where text.hasSuffix(version) {
                text = text.dropLast(version.count)
            }
        }
        let slash = text.firstIndex(of: "/") ?? text.endIndex
        return canonicalHost(String(text[..<slash])) + text[slash...]
    }

    /// A registry host as users name it: Docker Hub's aliases become `docker.io`, the rest is as written.
    public static func canonicalHost(_ host: String) -> String {
        dockerHubAliases.contains(host.lowercased()) ? "docker.io" : host
    }

    /// The canonical keys to try for `repository` on `host`, most specific first
    /// (containers-auth.json(5)): `host/ns/repo`, `host/ns`, `host`.
    public static func lookupOrder(host: String, repository: String?) -> [String] {
        let host = canonicalHost(host)
        let components = (repository ?? "").split(separator: "/").map(String.init)
        var keys: [String] = []
        for count in stride(from: components.count, to: 0, by: -1) {
            keys.append(([host] + components.prefix(count)).joined(separator: "/"))
        }
        keys.append(host)
        return keys
    }

    /// What a credential helper is asked for: docker's own key for Docker Hub (so credentials that
    /// `docker login` stored in the helper are found), the host for every other registry.
    public static func helperServerURL(forHost host: String) -> String {
        canonicalHost(host) == "docker.io" ? dockerHubLegacyKey : host
    }
}
