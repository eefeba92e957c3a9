import Foundation

/// Which registries.conf files to read, and in what order: one main file, then the `*.conf`
/// drop-ins of each directory in turn.
///
/// `locate(registriesConf:environment:…)` picks them as containers/image does
/// (`newConfigWrapperWithHomeDir` in pkg/sysregistriesv2; containers-registries.conf(5),
/// DESCRIPTION; containers-registries.conf.d(5), CONFIGURATION PRECEDENCE), except that a file
/// named explicitly is read alone; see there.
public struct RegistriesConfigurationFiles: Sendable, Hashable, CustomStringConvertible {
    /// The system-wide file.
    public static let systemFile = "/etc/containers/registries.conf"
    /// The system-wide drop-in directory.
    public static let systemDropInDirectory = "/etc/containers/registries.conf.d"
    /// The per-user file and drop-in directory, relative to `$HOME`.
    public static let userFile = ".config/containers/registries.conf"
    public static let userDropInDirectory = ".config/containers/registries.conf.d"

    /// The main file.
    public var mainFile: String
    /// Whether a missing main file is an error (an explicitly named file) or an empty
    /// configuration (a default location that this machine does not use).
    public var mainFileIsRequired: Bool
    /// Directories whose `*.conf` files are applied after the main file, each in name order.
    /// Missing directories are skipped.
    public var dropInDirectories: [String]

    public init(mainFile: String, mainFileIsRequired: Bool = true, dropInDirectories: [String] = []) {
        self.mainFile = mainFile
        self.mainFileIsRequired = mainFileIsRequired
        self.dropInDirectories = dropInDirectories
    }

    /// The files for a command, in this order:
    ///
    /// 1. `--registries-conf FILE`, else `$CONTAINERS_REGISTRIES_CONF`: that file alone, which must
    ///    exist. (containers/image still applies the drop-in directories to such a file; a file
    ///    named for one command is meant to say everything, so none are read here.)
    /// 2. `$HOME/.config/containers/registries.conf` when it exists: it replaces the system file,
    ///    and then only `$HOME/.config/containers/registries.conf.d` applies ("If the
    ///    `$HOME/.config/containers/registries.conf` is loaded, only the conf files under
    ///    `$HOME/.config/containers/registries.conf.d` are loaded").
    /// 3. Otherwise `/etc/containers/registries.conf` (missing is fine: empty), then the drop-ins
    ///    of `/etc/containers/registries.conf.d`, then those of
    ///    `$HOME/.config/containers/registries.conf.d`.
    ///
    /// `systemFile` and `systemDropInDirectory` exist so tests need not touch `/etc`.
    public static func locate(
        registriesConf: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        systemFile: String = Self.systemFile,
        systemDropInDirectory: String = Self.systemDropInDirectory,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> RegistriesConfigurationFiles {
        if let explicit = registriesConf ?? environment["CONTAINERS_REGISTRIES_CONF"], !explicit.isEmpty {
            return RegistriesConfigurationFiles(mainFile: explicit, mainFileIsRequired: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let userFile = home.map { "\($0)/\(Self.userFile)" }
        let userDirectory = home.map { "\($0)/\(Self.userDropInDirectory)" }
        if let userFile, fileExists(userFile) {
            return RegistriesConfigurationFiles(
                mainFile: userFile, mainFileIsRequired: false, dropInDirectories: userDirectory.map { [$0] } ?? [])
        }
        return RegistriesConfigurationFiles(
            mainFile: systemFile, mainFileIsRequired: false,
            dropInDirectories: [systemDropInDirectory] + (userDirectory.map { [$0] } ?? []))
    }

    /// The sources as containers/image's `ConfigurationSourceDescription` lists them.
    public var description: String {
        ([mainFile] + dropInDirectories).joined(separator: ", ")
    }
}
