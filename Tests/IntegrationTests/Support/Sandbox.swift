import Foundation

/// A scratch directory for one test, and an environment that keeps the machine's own
/// configuration out of an `airgap` run: HOME, XDG directories and DOCKER_CONFIG point into the
/// scratch directory (no auth file, credential helper or certs.d of the user's is read),
/// registries.conf is an empty file, and no proxy variable is set. Each `output()`/`cache()` is
/// fresh, so no run finds blobs an earlier one cached (a cached blob is never requested).
struct Sandbox {
    let directory: String

    init(_ label: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-\(label)-\(UUID().uuidString)").path
        for sub in ["home/.config", "run", "docker", "cache-home"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        try Data().write(to: URL(fileURLWithPath: "\(directory)/registries.conf"))
    }

    var home: String { directory + "/home" }

    /// Variables for ``AirgapBinary/run(_:stdin:environment:)``; empty values count as unset for
    /// airgap (as for containers/image) and for libcurl's proxy variables.
    var environment: [String: String] {
        [
            "HOME": home, "XDG_RUNTIME_DIR": directory + "/run", "XDG_CONFIG_HOME": home + "/.config",
            "XDG_CACHE_HOME": directory + "/cache-home", "DOCKER_CONFIG": directory + "/docker",
            "REGISTRY_AUTH_FILE": "", "CONTAINERS_REGISTRIES_CONF": directory + "/registries.conf",
            "http_proxy": "", "https_proxy": "", "HTTPS_PROXY": "", "all_proxy": "", "ALL_PROXY": "",
            "no_proxy": "", "NO_PROXY": "",
        ]
    }

    /// Runs the built `airgap` with ``environment`` plus `extra`.
    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> AirgapBinary.Result {
        try AirgapBinary.run(arguments, stdin: stdin, environment: environment.merging(extra) { $1 })
    }

    /// A new, empty blob cache directory path.
    func cache() -> String { "\(directory)/cache-\(UUID().uuidString.prefix(8))" }
    /// A new archive path.
    func output() -> String { "\(directory)/images-\(UUID().uuidString.prefix(8)).tar" }

    /// Writes `text` to `name` in the scratch directory; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(directory)/\(name)"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A containers-auth.json(5) file holding `entries` (registry → (user, password)); returns its path.
    func authFile(_ name: String, _ entries: [String: (String, String)]) throws -> String {
        let auths = entries.mapValues { ["auth": Data("\($0.0):\($0.1)".utf8).base64EncodedString()] }
        let data = try JSONSerialization.data(withJSONObject: ["auths": auths])
        let path = "\(directory)/\(name)"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
