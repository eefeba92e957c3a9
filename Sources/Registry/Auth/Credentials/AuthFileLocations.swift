import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where auth files are, from the command line and the environment: a value, so tests build one
/// for a temporary directory instead of reading the real machine's.
///
/// The order is containers/image's (`getAuthFilePaths` and `getPathToAuthWithOS` in
/// pkg/docker/config/config.go; containers-auth.json(5)):
/// 1. `--authfile`, else `$REGISTRY_AUTH_FILE`: when given, the only file read or written.
/// 2. The primary file, read first and written by `login`: `$XDG_RUNTIME_DIR/containers/auth.json`;
///    without `XDG_RUNTIME_DIR`, `/run/containers/$UID/auth.json` on Linux (where `podman login` as
///    root in a CI container writes) and `~/.config/containers/auth.json` elsewhere.
/// 3. `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`.
/// 4. `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
///
/// Not read: docker's pre-1.7 `~/.dockercfg` and the systemd-only `/etc/containers/auth.json`.
public struct AuthFileLocations: Sendable, Hashable {
    /// `--authfile`.
    public var authFile: String?
    /// `$REGISTRY_AUTH_FILE`, podman's and skopeo's environment spelling of `--authfile`.
    public var registryAuthFile: String?
    public var xdgRuntimeDir: String?
    public var xdgConfigHome: String?
    public var dockerConfig: String?
    public var home: String
    /// For `/run/containers/$UID/auth.json`.
    public var uid: UInt32
    /// Whether to use the Linux default for the primary file (`/run/containers/$UID`).
    public var isLinux: Bool

    public init(
        authFile: String? = nil, registryAuthFile: String? = nil, xdgRuntimeDir: String? = nil,
        xdgConfigHome: String? = nil, dockerConfig: String? = nil, home: String, uid: UInt32,
        isLinux: Bool = Self.runningOnLinux
    ) {
        self.authFile = authFile
        self.registryAuthFile = registryAuthFile
        self.xdgRuntimeDir = xdgRuntimeDir
        self.xdgConfigHome = xdgConfigHome
        self.dockerConfig = dockerConfig
        self.home = home
        self.uid = uid
        self.isLinux = isLinux
    }

    /// This process's environment and home directory, with `--authfile` if the user passed one.
    public static func current(authFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> AuthFileLocations {
        // An empty variable counts as unset, as containers/image's os.Getenv checks treat it.
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return AuthFileLocations(
            authFile: authFile.flatMap { $0.isEmpty ? nil : $0 },
            registryAuthFile: variable("REGISTRY_AUTH_FILE"),
            xdgRuntimeDir: variable("XDG_RUNTIME_DIR"),
            xdgConfigHome: variable("XDG_CONFIG_HOME"),
            dockerConfig: variable("DOCKER_CONFIG"),
            home: variable("HOME") ?? NSHomeDirectory(),
            uid: UInt32(getuid()))
    }

    public static var runningOnLinux: Bool {
        #if os(Linux)
        return true
        #else
        return false
        #endif
    }

    /// The file the user named (`--authfile`, then `$REGISTRY_AUTH_FILE`), if any.
    public var explicitFile: String? { authFile ?? registryAuthFile }

    /// The file `login` and `logout` change: the explicit one, else the primary file.
    public var writePath: String { explicitFile ?? primaryFile }

    /// The files to read, in order; most need not exist.
    public var searchPaths: [String] {
        if let explicitFile { return [explicitFile] }
        let configHome = xdgConfigHome ?? join(home, ".config")
        let docker = dockerConfig.map { join($0, "config.json") } ?? join(home, ".docker/config.json")
        var paths: [String] = []
        for path in [primaryFile, join(configHome, "containers/auth.json"), docker] where !paths.contains(path) {
            paths.append(path)
        }
        return paths
    }

    var primaryFile: String {
        if let xdgRuntimeDir { return join(xdgRuntimeDir, "containers/auth.json") }
        return isLinux ? "/run/containers/\(uid)/auth.json" : join(home, ".config/containers/auth.json")
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
