import OCI

/// `SOURCE=LOCATION`: pull images named under `SOURCE` from `LOCATION` instead, keeping the rest of
/// the name. The same idea as a registries.conf `[[registry.mirror]]`, in the form one types on a
/// command line: `--mirror docker.io=127.0.0.1:5000` serves `docker.io/library/busybox:1.29` from
/// `127.0.0.1:5000/library/busybox:1.29`; `--mirror quay.io/openshift=mirror.lab/ocp` serves
/// `quay.io/openshift/origin-cli:4.15` from `mirror.lab/ocp/origin-cli:4.15`.
public struct MirrorRule: Sendable, Hashable, CustomStringConvertible {
    /// A registry, or a registry and repository path: matched on whole name components.
    public let source: String
    /// Where to fetch from: a registry, optionally followed by a path prefix.
    public let location: String

    public init(source: String, location: String) {
        self.source = Self.trimmed(source)
        self.location = Self.trimmed(location)
    }

    /// Parses `SOURCE=LOCATION`.
    public init(parsing text: String) throws(MirrorRuleError) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed(text) }
        self.init(source: String(parts[0]), location: String(parts[1]))
        guard !source.isEmpty, !location.isEmpty, !source.contains("@"), !location.contains("@") else {
            throw .malformed(text)
        }
        // The location must name a registry host: a bare word would be read as a Docker Hub
        // repository and send the images somewhere the user never named.
        do {
            _ = try RegistryPrefix.validateNamespace(location, field: "location")
        } catch {
            throw .invalidLocation(text, reason: error.description)
        }
    }

    public var description: String { "\(source)=\(location)" }

    /// Whether `name` (`domain/path`) falls under this rule's source, on a component boundary.
    public func matches(name: String) -> Bool {
        name == source || name.hasPrefix(source + "/")
    }

    /// The reference to pull instead of `reference`, or `nil` when the rule does not apply.
    public func rewrite(_ reference: ImageReference) throws(MirrorRuleError) -> ImageReference? {
        guard matches(name: reference.name) else { return nil }
        do {
            return try reference.relocated(matchedLength: source.count, onto: location)
        } catch {
            throw .unusableRewrite(rule: description, reference: reference.description, reason: error.description)
        }
    }

    private static func trimmed(_ text: String) -> String {
        var value = Substring(text.trimmingCharacters(in: .whitespaces))
        while value.hasSuffix("/") { value = value.dropLast() }
        return String(value)
    }
}

public enum MirrorRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalidLocation(String, reason: String)
    /// The rule's location cannot stand in for the reference it covers.
    case unusableRewrite(rule: String, reference: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let text):
            return "invalid mirror \"\(text)\": expected SOURCE=LOCATION, e.g. docker.io=registry.example.com:5000"
        case .invalidLocation(let text, let reason):
            return "invalid mirror \"\(text)\": \(reason)"
        case .unusableRewrite(let rule, let reference, let reason):
            return "mirror rule \(rule) cannot serve \(reference): \(reason)"
        }
    }
}

/// A set of mirror rules: for a reference, the places to try, most specific mirror first and the
/// source itself last, as registries.conf orders them.
public struct MirrorTable: Sendable, Hashable {
    public var rules: [MirrorRule]

    public init(_ rules: [MirrorRule] = []) {
        self.rules = rules
    }

    /// Mirrors whose source is the longest matching prefix (in the order given), then `reference`.
    public func candidates(for reference: ImageReference) throws(MirrorRuleError) -> [ImageReference] {
        let matching = rules.filter { $0.matches(name: reference.name) }
        guard let longest = matching.map(\.source.count).max() else { return [reference] }
        var result: [ImageReference] = []
        for rule in matching where rule.source.count == longest {
            if let mirrored = try rule.rewrite(reference), !result.contains(mirrored) { result.append(mirrored) }
        }
        if !result.contains(reference) { result.append(reference) }
        return result
    }
}
