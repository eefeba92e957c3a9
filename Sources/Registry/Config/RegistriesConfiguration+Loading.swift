import Foundation

// Reading the main file and its drop-ins and merging them, per containers-registries.conf.d(5),
// CONFIGURATION PRECEDENCE: drop-ins load "in alpha-numerical order", only files ending in
// `.conf`, no sub-directories; "Specified fields in a conf file will overwrite any previous
// setting"; "[[registry]] tables [are] merged by overwriting existing items if the prefixes are
// identical while new ones are added."

extension RegistriesConfiguration {
    /// Reads and merges `files`. A missing main file is an empty configuration unless it is
    /// required; missing drop-in directories are skipped.
    public static func load(_ files: RegistriesConfigurationFiles) throws(RegistriesConfigurationError)
        -> RegistriesConfiguration
    {
        var configuration = RegistriesConfiguration()
        if let text = try read(files.mainFile, required: files.mainFileIsRequired) {
            configuration = try RegistriesConfiguration(parsing: text, file: files.mainFile)
        }
        for directory in files.dropInDirectories {
            for file in try dropIns(in: directory) {
                // A drop-in removed between listing and reading is an expected race; skip it.
                guard let text = try read(file, required: false) else { continue }
                configuration.apply(try RegistriesConfiguration(parsing: text, file: file))
            }
        }
        return configuration
    }

    /// Loads the configuration a command uses: `--registries-conf`, or the default files.
    public static func load(
        registriesConf: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(RegistriesConfigurationError) -> RegistriesConfiguration {
        try load(RegistriesConfigurationFiles.locate(registriesConf: registriesConf, environment: environment))
    }

    /// Applies a later file on top of this one: its `[[registry]]` tables replace those with the
    /// same prefix (in place) or are added; its `unqualified-search-registries`, when set, replace
    /// this one's.
    public mutating func apply(_ dropIn: RegistriesConfiguration) {
        for entry in dropIn.registries {
            if let index = registries.firstIndex(where: { $0.prefix == entry.prefix }) {
                registries[index] = entry
            } else {
                registries.append(entry)
            }
        }
        if let search = dropIn.unqualifiedSearchRegistries { unqualifiedSearchRegistries = search }
    }

    /// The `*.conf` regular files (or links to them) directly in `directory`, sorted by name.
    static func dropIns(in directory: String) throws(RegistriesConfigurationError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return []
        } catch {
            // Most systems have no registries.conf.d; anything else (permissions) is reported.
            guard FileManager.default.fileExists(atPath: directory) else { return [] }
            throw .unreadable(file: directory, reason: Self.reason(error))
        }
        return names.filter { $0.hasSuffix(".conf") }.sorted().map { "\(directory)/\($0)" }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// The file's text, or `nil` when it does not exist and is not required.
    private static func read(_ file: String, required: Bool) throws(RegistriesConfigurationError) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            if required { throw .missingFile(file) }
            return nil
        }
        if isDirectory.boolValue { throw .unreadable(file: file, reason: "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw .unreadable(file: file, reason: Self.reason(error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: file, reason: "not UTF-8 text")
        }
        return text
    }

    private static func reason(_ error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }
}
