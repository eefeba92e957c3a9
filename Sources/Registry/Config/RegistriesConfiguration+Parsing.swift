import OCI
import TOMLKit

// Reading one registries.conf file: TOMLKit parses the TOML, this walks the tables so each
// problem can name the file, the [[registry]] table and the setting. Checks follow
// containers/image's postProcessRegistries (pkg/sysregistriesv2). Keys this program does not use
// (`short-name-mode`, `[aliases]`, `credential-helpers`, …) are ignored, as containers/image
// ignores keys it does not know.

extension RegistriesConfiguration {
    /// Parses one file's text; `file` names it in errors and in each entry's `origin`.
    public init(parsing text: String, file: String) throws(RegistriesConfigurationError) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(
                file: file, line: error.source.begin.line, column: error.source.begin.column,
                message: error.description)
        } catch {
            throw .syntax(file: file, line: 0, column: 0, message: "\(error)")
        }

        // VERSION 1 is deprecated; a version 1 file's block list must not be silently ignored.
        if table["registries"] != nil {
            throw .invalidFile(
                file: file,
                problem: "version 1 format ([registries.search], [registries.insecure], "
                    + "[registries.block]) is not supported; write [[registry]] tables "
                    + "(containers-registries.conf(5), VERSION 2)")
        }
        self.init(
            registries: try Self.parseRegistries(table["registry"], file: file),
            unqualifiedSearchRegistries: try Self.parseSearchRegistries(table, file: file))
    }

    private static func parseSearchRegistries(
        _ table: TOMLTable, file: String
    ) throws(RegistriesConfigurationError) -> [String]? {
        let key = "unqualified-search-registries"
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw .invalidFile(file: file, problem: "\(key) = \(render(value)): expected an array of host[:port]")
        }
        var hosts: [String] = []
        for element in array {
            // GLOBAL SETTINGS: "An array of host[:port] registries".
            guard let host = element.string.map(RegistryPrefix.trimmingTrailingSlashes),
                (try? ImageReference.validateDomain(host, reference: host)) != nil
            else {
                throw .invalidFile(file: file, problem: "\(key): \(render(element)) is not host[:port]")
            }
            hosts.append(host)
        }
        return hosts
    }

    private static func parseRegistries(
        _ value: (any TOMLValueConvertible)?, file: String
    ) throws(RegistriesConfigurationError) -> [Entry] {
        guard let value else { return [] }
        guard let array = value.array else {
            throw .invalidFile(file: file, problem: "registry must be an array of tables: write [[registry]]")
        }
        var entries: [Entry] = []
        for (offset, element) in array.enumerated() {
            let index = offset + 1
            guard let table = element.table else {
                throw .invalidEntry(file: file, entry: "[[registry]] #\(index)", problem: "expected a table")
            }
            let reader = TableReader(table: table, file: file, label: Self.label(index: index, table: table))
            let entry = try reader.entry(origin: Origin(file: file, index: index))
            // containers/image keeps the first of several tables with one prefix and drops the
            // rest without a word; a second table is a mistake worth reporting.
            if let first = entries.first(where: { $0.prefix == entry.prefix }), let origin = first.origin {
                throw .invalidEntry(
                    file: file, entry: reader.label,
                    problem: "prefix \"\(entry.prefix)\" is already used by [[registry]] #\(origin.index)")
            }
            entries.append(entry)
        }
        return entries
    }

    /// `[[registry]] #2 (prefix "quay.io")`, or the location when the prefix is left out.
    private static func label(index: Int, table: TOMLTable) -> String {
        if let prefix = table["prefix"]?.string, !prefix.isEmpty {
            return "[[registry]] #\(index) (prefix \"\(prefix)\")"
        }
        if let location = table["location"]?.string, !location.isEmpty {
            return "[[registry]] #\(index) (location \"\(location)\")"
        }
        return "[[registry]] #\(index)"
    }

    /// A value as it would appear in the file, for messages.
    static func render(_ value: any TOMLValueConvertible) -> String {
        if let string = value.string { return "\"\(string)\"" }
        if let bool = value.bool { return "\(bool)" }
        if let int = value.int { return "\(int)" }
        return "a \(value.type)"
    }
}

/// Reads the settings of one `[[registry]]` table, naming it in every error.
private struct TableReader {
    let table: TOMLTable
    let file: String
    let label: String

    func entry(origin: RegistriesConfiguration.Origin) throws(RegistriesConfigurationError)
        -> RegistriesConfiguration.Entry
    {
        let rawLocation = try string("location", in: table).map(RegistryPrefix.trimmingTrailingSlashes)
        let rawPrefix = try string("prefix", in: table).map(RegistryPrefix.trimmingTrailingSlashes)
        let location = rawLocation?.isEmpty == false ? rawLocation : nil

        if let location {
            do { _ = try RegistryPrefix.validateNamespace(location, field: "location") } catch { throw fail(error.description) }
        }
        // "the prefix field can be missing; if so, it defaults to the value of the location field"
        guard let prefixText = rawPrefix?.isEmpty == false ? rawPrefix : location else {
            throw fail("neither prefix nor location is set")
        }
        let prefix: RegistryPrefix
        do { prefix = try RegistryPrefix(prefixText) } catch { throw fail(error.description) }
        // Without a location, the primary source is "the unmodified user-specified reference"
        // (containers-registries.conf(5), `mirror`): the prefix itself, or for a wildcard the name as is.
        let primary = location ?? (prefix.isWildcard ? nil : prefixText)
        if table["pull-from-mirror"] != nil {
            throw fail("pull-from-mirror belongs in a [[registry.mirror]] table, not in [[registry]]")
        }

        let mirrorByDigestOnly = try bool("mirror-by-digest-only", in: table)
        return RegistriesConfiguration.Entry(
            prefix: prefix,
            location: primary,
            insecure: try bool("insecure", in: table),
            blocked: try bool("blocked", in: table),
            mirrorByDigestOnly: mirrorByDigestOnly,
            mirrors: try mirrors(mirrorByDigestOnly: mirrorByDigestOnly),
            origin: origin)
    }

    private func mirrors(mirrorByDigestOnly: Bool) throws(RegistriesConfigurationError)
        -> [RegistriesConfiguration.Mirror]
    {
        guard let value = table["mirror"] else { return [] }
        guard let array = value.array else { throw fail("mirror must be an array of tables: write [[registry.mirror]]") }
        var mirrors: [RegistriesConfiguration.Mirror] = []
        for (offset, element) in array.enumerated() {
            let name = "[[registry.mirror]] #\(offset + 1)"
            guard let mirror = element.table else { throw fail("\(name): expected a table") }
            guard let raw = try string("location", in: mirror, context: name), !raw.isEmpty else {
                throw fail("\(name) has no location")
            }
            let location: String
            do {
                location = try RegistryPrefix.validateNamespace(raw, field: "location")
            } catch {
                throw fail("\(name): \(error)")
            }
            var policy = RegistriesConfiguration.PullFromMirror.all
            if let text = try string("pull-from-mirror", in: mirror, context: name), !text.isEmpty {
                guard let parsed = RegistriesConfiguration.PullFromMirror(rawValue: text) else {
                    throw fail("\(name): pull-from-mirror = \"\(text)\": expected \"all\", \"digest-only\" or \"tag-only\"")
                }
                // "this per-mirror setting is allowed only when mirror-by-digest-only is not configured"
                if mirrorByDigestOnly {
                    throw fail("\(name): pull-from-mirror cannot be combined with mirror-by-digest-only = true on the registry")
                }
                policy = parsed
            }
            mirrors.append(
                .init(
                    location: location, insecure: try bool("insecure", in: mirror, context: name),
                    pullFromMirror: policy))
        }
        return mirrors
    }

    private func string(_ key: String, in table: TOMLTable, context: String? = nil) throws(RegistriesConfigurationError)
        -> String?
    {
        guard let value = table[key] else { return nil }
        guard let string = value.string else {
            throw fail((context.map { "\($0): " } ?? "") + "\(key) = \(RegistriesConfiguration.render(value)): expected a string")
        }
        return string
    }

    private func bool(_ key: String, in table: TOMLTable, context: String? = nil) throws(RegistriesConfigurationError)
        -> Bool
    {
        guard let value = table[key] else { return false }
        guard let bool = value.bool else {
            throw fail((context.map { "\($0): " } ?? "") + "\(key) = \(RegistriesConfiguration.render(value)): expected true or false")
        }
        return bool
    }

    private func fail(_ problem: String) -> RegistriesConfigurationError {
        .invalidEntry(file: file, entry: label, problem: problem)
    }
}
