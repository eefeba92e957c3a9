import Foundation
import OCI
import Registry

// Oracles: the real loaders judge the archives airgap writes. Each helper runs the real tool
// (podman 4.3, ctr/containerd 1.6, dockerd 20.10, skopeo 1.9) as a child process and throws an `OracleError`
// naming the command, its exit status and the tail of its stderr when the tool refuses.
//
// Isolation: every `Podman.load` gets a fresh storage in its own temporary directory, with its
// own containers.conf, storage.conf, registries.conf, signature policy, HOME, XDG_* and TMPDIR,
// so neither the host's configuration nor another test's images can change the verdict. Every
// `Containerd.importArchive` goes into a namespace of its own on the containerd started by
// scripts/test-servers.sh (AIRGAP_TEST_CONTAINERD_ADDRESS); a missing server is a failure.
// `DockerEngine.load` goes to the one dockerd test-servers.sh starts (AIRGAP_TEST_DOCKER_HOST),
// which has no namespaces: load images under names no other test loads, and remove them after.

/// A real tool refused, failed or hung.
struct OracleError: Error, CustomStringConvertible {
    enum Reason: Sendable {
        case missingTool
        case exited(status: Int32)
        case timedOut(after: Duration)
        case unexpectedOutput(String)
    }

    let command: [String]
    let reason: Reason
    var stdout: String = ""
    var stderr: String = ""

    var description: String {
        let shown = OracleProcess.shellQuoted(command)
        var text: String
        switch reason {
        case .missingTool:
            return "`\(command.first ?? "?")` is not on PATH (run scripts/install-deps.sh); wanted to run: \(shown)"
        case .exited(let status):
            text = "`\(shown)` exited with status \(status)"
        case .timedOut(let after):
            text = "`\(shown)` did not finish within \(after) and was killed"
        case .unexpectedOutput(let why):
            text = "`\(shown)` gave unexpected output: \(why)"
        }
        let err = Self.tail(stderr)
        let out = Self.tail(stdout)
        if !err.isEmpty { text += "\n--- stderr (tail) ---\n" + err }
        if !out.isEmpty { text += "\n--- stdout (tail) ---\n" + out }
        return text
    }

    static func tail(_ text: String, lines: Int = 25) -> String {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmed = all.last == "" ? all.dropLast() : all[...]
        return trimmed.suffix(lines).joined(separator: "\n")
    }
}

/// Runs a child process with stdin from /dev/null and stdout/stderr captured through files (no
/// pipe can fill up and deadlock), bounded by a timeout.
enum OracleProcess {
    struct Output: Sendable {
        let command: [String]
        let stdout: Data
        let stderr: Data
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        /// Non-empty lines of stdout.
        var stdoutLines: [String] {
            stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// Runs `tool` (looked up on PATH) and returns its output; throws unless it exits 0.
    @discardableResult
    static func run(
        _ tool: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration = .seconds(300)
    ) throws -> Output {
        let command = [tool] + arguments
        guard let executable = find(tool, environment: environment) else {
            throw OracleError(command: command, reason: .missingTool)
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("airgap-oracle-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            try? outHandle.close()
            try? errHandle.close()
            throw OracleError(command: command, reason: .unexpectedOutput("could not start: \(error)"))
        }

        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var timedOut = false
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            // SIGTERM first, then SIGKILL. Children spawned from Swift Testing's worker threads
            // inherit those threads' signal mask, which blocks SIGTERM (seen here: a child
            // `sleep` ignored Process.terminate()), so SIGKILL is what really ends a hung tool.
            kill(process.processIdentifier, SIGTERM)
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        }
        try? outHandle.close()
        try? errHandle.close()
        let output = Output(
            command: command,
            stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: (try? Data(contentsOf: errURL)) ?? Data())
        if timedOut {
            throw OracleError(
                command: command, reason: .timedOut(after: timeout), stdout: output.stdoutText, stderr: output.stderrText)
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
            throw OracleError(
                command: command, reason: .exited(status: status), stdout: output.stdoutText, stderr: output.stderrText)
        }
        return output
    }

    static func find(_ tool: String, environment: [String: String]?) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func shellQuoted(_ words: [String]) -> String {
        words.map { word in
            let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@,+%".contains($0) }
            return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// The current environment without the variables that point container tools at other
    /// configuration, credentials, storage or a remote service.
    static func scrubbedEnvironment() -> [String: String] {
        let dropped: Set<String> = [
            "HOME", "TMPDIR", "REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "STORAGE_DRIVER", "STORAGE_OPTS",
            "CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY", "CONTAINERD_ADDRESS", "CONTAINERD_NAMESPACE",
            "CONTAINERD_SNAPSHOTTER",
        ]
        return ProcessInfo.processInfo.environment.filter { key, _ in
            !dropped.contains(key) && !key.hasPrefix("CONTAINERS_") && !key.hasPrefix("XDG_")
        }
    }
}

// MARK: - podman

/// `podman load` into a throwaway vfs storage.
enum Podman {
    /// Loads `archive` into a fresh, isolated storage and returns that storage. The caller owns it:
    /// call `remove()` when done (also after a failed expectation; `defer` it).
    ///
    /// Runs `podman --root DIR/root --runroot DIR/runroot --storage-driver vfs --tmpdir DIR/libpod-tmp
    /// ... load --signature-policy DIR/policy.json -i ARCHIVE`. On failure the storage is removed and
    /// the error carries podman's stderr (e.g. "more than one image in oci, choose an image").
    static func load(archive: String) throws -> PodmanStore {
        let store = try PodmanStore.create()
        do {
            let output = try store.podman(["load", "--signature-policy", store.directory + "/policy.json", "-i", archive])
            return store.withLoadOutput(output)
        } catch {
            store.remove()
            throw error
        }
    }
}

extension Podman {
    /// A fresh, isolated storage with nothing in it, for `podman pull`. Its registries.conf
    /// (``PodmanStore/registriesConf``, what CONTAINERS_REGISTRIES_CONF names: podman 4.3 has no
    /// `--registries-conf` flag) is empty until the caller writes it. `remove()` it when done.
    static func emptyStore() throws -> PodmanStore { try PodmanStore.create() }
}

/// One isolated podman storage (vfs) under a temporary directory.
struct PodmanStore: Sendable {
    /// One entry of `podman images --format json`.
    struct Image: Sendable, Equatable {
        /// Image ID: the hex of the config digest, without `sha256:`.
        let id: String
        /// Full names, e.g. `docker.io/library/busybox:1.29`.
        let names: [String]
        /// Digest of the manifest podman stored.
        let digest: String
        let repoDigests: [String]
    }

    /// The temporary directory holding the storage, its configuration and podman's temp files.
    let directory: String
    /// podman's stdout and stderr from `load` ("Loaded image: NAME" lines are on stdout).
    var loadOutput: String = ""
    var loadLog: String = ""
    private let environment: [String: String]

    /// Names from podman's "Loaded image: A" / "Loaded image(s): A,B" lines.
    var loadedNames: [String] {
        loadOutput.split(separator: "\n").flatMap { line -> [String] in
            guard line.hasPrefix("Loaded image"), let colon = line.firstIndex(of: ":") else { return [] }
            return line[line.index(after: colon)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    fileprivate static func create() throws -> PodmanStore {
        // podman 4.3 refuses a runroot longer than 50 characters ("the specified runroot is longer
        // than 50 characters"), so keep the name short and fall back to /tmp for a long TMPDIR.
        let name = "airgap-podman-" + UUID().uuidString.prefix(8).lowercased()
        var base = FileManager.default.temporaryDirectory.path
        if base.count + name.count + "/runroot".count + 1 > 50 { base = "/tmp" }
        let directory = "\(base)/\(name)"
        let files = FileManager.default
        for sub in ["root", "runroot", "libpod-tmp", "tmp", "home", "xdg-runtime", "volumes", "networks"] {
            try files.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: "\(directory)/xdg-runtime")
        // Empty containers.conf and registries.conf: only podman's built-in defaults apply.
        try Data().write(to: URL(fileURLWithPath: "\(directory)/containers.conf"))
        try Data().write(to: URL(fileURLWithPath: "\(directory)/registries.conf"))
        try Data(
            """
            [storage]
            driver = "vfs"
            runroot = "\(directory)/runroot"
            graphroot = "\(directory)/root"

            """.utf8
        ).write(to: URL(fileURLWithPath: "\(directory)/storage.conf"))
        // load verifies nothing; accept anything rather than depend on /etc/containers/policy.json.
        try Data(#"{"default":[{"type":"insecureAcceptAnything"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: "\(directory)/policy.json"))

        var environment = OracleProcess.scrubbedEnvironment()
        environment["HOME"] = "\(directory)/home"
        environment["TMPDIR"] = "\(directory)/tmp"  // podman extracts oci-archives here (default /var/tmp)
        environment["XDG_RUNTIME_DIR"] = "\(directory)/xdg-runtime"
        environment["XDG_CONFIG_HOME"] = "\(directory)/home/.config"
        environment["XDG_DATA_HOME"] = "\(directory)/home/.local/share"
        environment["CONTAINERS_CONF"] = "\(directory)/containers.conf"
        environment["CONTAINERS_STORAGE_CONF"] = "\(directory)/storage.conf"
        environment["CONTAINERS_REGISTRIES_CONF"] = "\(directory)/registries.conf"
        return PodmanStore(directory: directory, environment: environment)
    }

    private init(directory: String, environment: [String: String]) {
        self.directory = directory
        self.environment = environment
    }

    fileprivate func withLoadOutput(_ output: OracleProcess.Output) -> PodmanStore {
        var copy = self
        copy.loadOutput = output.stdoutText
        copy.loadLog = output.stderrText
        return copy
    }

    /// Runs `podman GLOBAL-OPTIONS ARGUMENTS` against this storage.
    @discardableResult
    func podman(_ arguments: [String], timeout: Duration = .seconds(300)) throws -> OracleProcess.Output {
        let global = [
            "--root", "\(directory)/root", "--runroot", "\(directory)/runroot", "--storage-driver", "vfs",
            "--tmpdir", "\(directory)/libpod-tmp", "--volumepath", "\(directory)/volumes",
            "--network-config-dir", "\(directory)/networks", "--cgroup-manager", "cgroupfs", "--events-backend", "none",
        ]
        return try OracleProcess.run("podman", global + arguments, environment: environment, timeout: timeout)
    }

    /// Every image in the storage (`podman images --format json`).
    func images() throws -> [Image] {
        let output = try podman(["images", "--format", "json"])
        guard let list = try? JSONSerialization.jsonObject(with: output.stdout) as? [[String: Any]] else {
            throw OracleError(
                command: output.command, reason: .unexpectedOutput("not a JSON array"), stdout: output.stdoutText,
                stderr: output.stderrText)
        }
        return list.map { entry in
            Image(
                id: entry["Id"] as? String ?? "",
                names: entry["Names"] as? [String] ?? [],
                digest: entry["Digest"] as? String ?? "",
                repoDigests: entry["RepoDigests"] as? [String] ?? [])
        }
    }

    /// Every full name in the storage, sorted (`Names` of `podman images --format json`).
    func imageNames() throws -> [String] {
        try images().flatMap(\.names).sorted()
    }

    /// The image ID (config digest hex, no `sha256:`) of the image with this full name.
    func imageID(named name: String) throws -> String {
        let all = try images()
        guard let image = all.first(where: { $0.names.contains(name) }) else {
            throw OracleError(
                command: ["podman", "images", "--format", "json"],
                reason: .unexpectedOutput("no image named \(name); names: \(all.flatMap(\.names))"))
        }
        return image.id
    }

    /// `podman image exists NAME` (exit 0 = yes, 1 = no).
    func exists(_ name: String) -> Bool {
        (try? podman(["image", "exists", name])) != nil
    }

    /// The registries.conf podman reads for this storage (empty unless written).
    var registriesConf: String { directory + "/registries.conf" }

    /// The signature policy that accepts anything (no signatures in the test registries).
    var signaturePolicy: String { directory + "/policy.json" }

    /// Deletes the storage and everything under its directory.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

// MARK: - containerd

/// `ctr images import` into the containerd started by scripts/test-servers.sh.
enum Containerd {
    /// One line of `ctr images ls`.
    struct Image: Sendable, Equatable {
        let name: String
        let mediaType: String
        /// Digest of the image's top manifest or index as containerd recorded it.
        let digest: String
        let platforms: [String]
    }

    static func address() throws -> String { try TestServers.value("AIRGAP_TEST_CONTAINERD_ADDRESS") }

    /// The snapshotter to unpack into (native: works without overlay support).
    static func snapshotter() throws -> String { try TestServers.value("AIRGAP_TEST_CONTAINERD_SNAPSHOTTER") }

    /// A fresh namespace name, `test-<uuid>`.
    static func uniqueNamespace() -> String { "test-" + UUID().uuidString.lowercased() }

    /// Runs `ctr --address SOCK -n NAMESPACE ARGUMENTS`.
    @discardableResult
    static func ctr(_ arguments: [String], namespace: String, timeout: Duration = .seconds(300)) throws -> OracleProcess.Output {
        let global = ["--address", try address(), "--connect-timeout", "5s", "--namespace", namespace]
        return try OracleProcess.run(
            "ctr", global + arguments, environment: OracleProcess.scrubbedEnvironment(), timeout: timeout)
    }

    /// Imports `path` (every platform, unpacked into the snapshotter, so layers must match the
    /// configs' diff_ids) into `namespace` and returns the image names there, sorted. Use a
    /// namespace of its own (`uniqueNamespace()`) and `removeNamespace` it afterwards.
    @discardableResult
    static func importArchive(_ path: String, namespace: String, unpack: Bool = true) throws -> [String] {
        var arguments = ["images", "import", "--all-platforms", "--snapshotter", try snapshotter()]
        if !unpack { arguments.append("--no-unpack") }
        try ctr(arguments + [path], namespace: namespace)
        return try imageNames(namespace: namespace)
    }

    /// `ctr images ls -q`, sorted.
    static func imageNames(namespace: String) throws -> [String] {
        try ctr(["images", "ls", "-q"], namespace: namespace).stdoutLines.sorted()
    }

    /// `ctr images ls`, parsed: REF TYPE DIGEST SIZE (two words) PLATFORMS LABELS.
    static func images(namespace: String) throws -> [Image] {
        let output = try ctr(["images", "ls"], namespace: namespace)
        return try output.stdoutLines.dropFirst().map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 6, fields[2].hasPrefix("sha256:") else {
                throw OracleError(
                    command: output.command, reason: .unexpectedOutput("cannot parse line: \(line)"),
                    stdout: output.stdoutText)
            }
            return Image(
                name: fields[0], mediaType: fields[1], digest: fields[2],
                platforms: fields[5].split(separator: ",").map(String.init))
        }
    }

    /// `ctr images check`, parsed: each image's status word, `complete` or `incomplete` (some of
    /// the content its manifest names is not in the namespace's content store).
    static func contentStatus(namespace: String) throws -> [String: String] {
        let output = try ctr(["images", "check"], namespace: namespace)
        var status: [String: String] = [:]
        for line in output.stdoutLines.dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 4, fields[2].hasPrefix("sha256:") else {
                throw OracleError(command: output.command, reason: .unexpectedOutput("cannot parse line: \(line)"), stdout: output.stdoutText)
            }
            status[fields[0]] = fields[3]
        }
        return status
    }

    /// Deletes every image of `namespace` (waiting for containerd's garbage collection to drop
    /// their content and snapshots), then the namespace itself.
    static func removeNamespace(_ namespace: String) throws {
        let names = try imageNames(namespace: namespace)
        if !names.isEmpty {
            try ctr(["images", "rm", "--sync"] + names, namespace: namespace)
        }
        // `namespaces rm` refuses while anything is left in the namespace and says what.
        try ctr(["namespaces", "rm", namespace], namespace: "default")
    }
}

// MARK: - dockerd

/// `docker load` into the dockerd started by scripts/test-servers.sh (Debian's docker.io 20.10,
/// vfs storage, its own data root). The daemon is shared: load names no other test loads, and
/// `remove` them afterwards.
enum DockerEngine {
    /// Runs `docker -H HOST ARGUMENTS` with Debian's client, a private client config and none of
    /// the variables that would point it at another daemon.
    @discardableResult
    static func docker(_ arguments: [String], timeout: Duration = .seconds(300)) throws -> OracleProcess.Output {
        let configDirectory = TestServers.stateDirectory + "/dockerd/client-config"
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        var environment = OracleProcess.scrubbedEnvironment().filter { !$0.key.hasPrefix("DOCKER_") }
        environment["DOCKER_CONFIG"] = configDirectory
        return try OracleProcess.run(
            try TestServers.dockerClient(), ["-H", try TestServers.dockerHost()] + arguments, environment: environment,
            timeout: timeout)
    }

    /// `docker load -i ARCHIVE`; returns the names from its "Loaded image: NAME" lines, as docker
    /// prints them (familiar form: `httpd:2.4.38-alpine` for `docker.io/library/httpd:2.4.38-alpine`).
    @discardableResult
    static func load(archive: String) throws -> [String] {
        let output = try docker(["load", "-i", archive])
        return output.stdoutLines.compactMap { line in
            guard line.hasPrefix("Loaded image: ") else { return nil }
            return String(line.dropFirst("Loaded image: ".count))
        }
    }

    /// The image ID (`sha256:` + config digest hex) of `name`, or nil when the daemon has no such image.
    static func imageID(_ name: String) -> String? {
        (try? docker(["image", "inspect", "--format", "{{.Id}}", name]))?.stdoutLines.first
    }

    /// `docker image rm` of each name that exists.
    static func remove(_ names: [String]) {
        for name in names where imageID(name) != nil {
            _ = try? docker(["image", "rm", name])
        }
    }
}

// MARK: - skopeo

/// What skopeo reads from one image: `skopeo inspect --raw` and `skopeo inspect`.
struct SkopeoInspection: Sendable {
    let reference: String
    /// The manifest bytes exactly as skopeo returns them.
    let rawManifest: Data
    /// sha256 of `rawManifest`, computed here.
    let rawDigest: Digest
    /// `mediaType` of the raw manifest, if it has one.
    let mediaType: String?
    /// `Digest` of `skopeo inspect`'s JSON.
    let digest: String
    /// `Layers` of `skopeo inspect`'s JSON.
    let layers: [String]
    /// `Name` of `skopeo inspect`'s JSON (null for oci-archive).
    let name: String?
    let architecture: String?
    let os: String?
    /// The whole `skopeo inspect` JSON.
    let json: Data
}

enum Skopeo {
    /// Inspects `transportReference`, e.g. `docker-archive:/tmp/x.tar:docker.io/library/busybox:1.29` or
    /// `oci-archive:/tmp/x.tar:docker.io/library/busybox:1.29` (extra options such as
    /// `--tls-verify=false` go in `arguments`).
    static func inspect(_ transportReference: String, arguments: [String] = []) throws -> SkopeoInspection {
        let raw = try skopeo(["inspect", "--raw"] + arguments + [transportReference])
        let full = try skopeo(["inspect"] + arguments + [transportReference])
        guard let object = try? JSONSerialization.jsonObject(with: full.stdout) as? [String: Any],
            let digest = object["Digest"] as? String, let layers = object["Layers"] as? [String]
        else {
            throw OracleError(
                command: full.command, reason: .unexpectedOutput("no Digest/Layers in the JSON"), stdout: full.stdoutText,
                stderr: full.stderrText)
        }
        let manifest = try? JSONSerialization.jsonObject(with: raw.stdout) as? [String: Any]
        return SkopeoInspection(
            reference: transportReference, rawManifest: raw.stdout, rawDigest: Digest.compute(of: raw.stdout),
            mediaType: manifest?["mediaType"] as? String, digest: digest, layers: layers, name: object["Name"] as? String,
            architecture: object["Architecture"] as? String, os: object["Os"] as? String, json: full.stdout)
    }

    /// `skopeo inspect --config`: the image config JSON.
    static func config(_ transportReference: String, arguments: [String] = []) throws -> Data {
        try skopeo(["inspect", "--config"] + arguments + [transportReference]).stdout
    }

    /// `skopeo --insecure-policy copy -q ARGUMENTS SOURCE DESTINATION`.
    static func copy(_ source: String, _ destination: String, arguments: [String] = []) throws {
        try skopeo(["--insecure-policy", "copy", "-q"] + arguments + [source, destination])
    }

    @discardableResult
    static func skopeo(_ arguments: [String], timeout: Duration = .seconds(300)) throws -> OracleProcess.Output {
        try OracleProcess.run("skopeo", arguments, timeout: timeout)
    }
}
