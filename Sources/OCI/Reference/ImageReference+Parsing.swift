// Parsing follows distribution/reference's ParseNormalizedNamed and splitDockerDomain
// (https://github.com/distribution/reference/blob/main/normalize.go), checked part by part so
// an error can say which part is wrong.

extension ImageReference {
    /// Parses and normalizes `[domain/]path[:tag][@digest]`.
    ///
    /// - The first `/`-separated component is the domain if it is `localhost`, contains `.` or
    ///   `:`, or holds an uppercase letter (path components cannot); otherwise the domain is
    ///   `docker.io`. `index.docker.io` becomes `docker.io`.
    /// - On `docker.io` a one-component path gets `library/` (`busybox` → `library/busybox`).
    /// - The path is lowercase components (see `Repository`), at most 255 characters counted
    ///   after normalization; the domain does not count.
    /// - A tag and a digest may both be given. With neither, the tag is `latest`.
    /// - A bare 64-character hex string is refused: it is an image ID.
    public init(_ string: String) throws(ReferenceError) {
        guard !string.isEmpty else { throw .empty }
        if string.utf8.count == 64, string.utf8.allSatisfy(Self.isLowercaseHex) {
            throw .ambiguousIdentifier(string)
        }

        let (domain, remainder) = Self.splitDomain(string)
        try Self.validateDomain(domain, reference: string)

        // Path components hold neither ':' nor '@', so the path ends at the first of them.
        let pathEnd = remainder.firstIndex { $0 == ":" || $0 == "@" } ?? remainder.endIndex
        let userPath = remainder[..<pathEnd]
        guard !userPath.isEmpty else { throw .missingRepository(reference: string) }
        // The path is checked before the tag, as distribution checks case before the rest.
        try Repository.validateComponents(userPath, reference: string)
        var path = String(userPath)
        if domain == Self.dockerHubDomain, !path.contains("/") {
            path = Self.officialRepositoryPrefix + path
        }
        try Repository.validateLength(path, reference: string)

        var rest = remainder[pathEnd...]

        var tag: Tag?
        if rest.first == ":" {
            let tagEnd = rest.firstIndex(of: "@") ?? rest.endIndex
            let text = String(rest[rest.index(after: rest.startIndex)..<tagEnd])
            try Tag.validate(text, reference: string)
            tag = Tag(uncheckedValue: text)
            rest = rest[tagEnd...]
        }

        var digest: Digest?
        if rest.first == "@" {
            let text = rest.dropFirst()
            if let second = text.firstIndex(of: "@") {
                throw .unexpectedTrailing(String(text[second...]), reference: string)
            }
            do {
                digest = try Digest(String(text))
            } catch {
                throw .invalidDigest(error, reference: string)
            }
        }

        self.init(
            validatedDomain: domain, repository: Repository(uncheckedValue: path),
            tag: tag, digest: digest)
    }

    /// splitDockerDomain: the domain (normalized) and everything after it.
    private static func splitDomain(_ string: String) -> (domain: String, remainder: Substring) {
        guard let slash = string.firstIndex(of: "/") else {
            return (dockerHubDomain, string[...])
        }
        let first = string[..<slash]
        let afterSlash = string[string.index(after: slash)...]
        if first == "localhost" || first.contains(".") || first.contains(":")
            || first.contains(where: \.isUppercase)
        {
            let domain = first == legacyDockerHubDomain ? dockerHubDomain : String(first)
            return (domain, afterSlash)
        }
        return (dockerHubDomain, string[...])
    }

    /// `host[:port]`: host is DNS-ish labels joined by `.` (which covers IPv4) or `[ipv6]`.
    public static func validateDomain(_ domain: String, reference: String) throws(ReferenceError) {
        let invalid = ReferenceError.invalidDomain(domain, reference: reference)
        var host = Substring(domain)
        var port: Substring?

        if host.first == "[" {
            guard let close = host.firstIndex(of: "]") else { throw invalid }
            let address = host[host.index(after: host.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0 == ":" || ($0.isASCII && $0.isHexDigit) }) else {
                throw invalid
            }
            let afterBracket = host[host.index(after: close)...]
            if !afterBracket.isEmpty {
                guard afterBracket.first == ":" else { throw invalid }
                port = afterBracket.dropFirst()
            }
        } else {
            if let colon = host.firstIndex(of: ":") {
                port = host[host.index(after: colon)...]
                host = host[..<colon]
            }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.allSatisfy(isValidDomainLabel) else { throw invalid }
        }

        if let port {
            guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw invalid }
        }
    }

    /// `[a-zA-Z0-9]` or `[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
    private static func isValidDomainLabel(_ label: Substring) -> Bool {
        guard let first = label.first, let last = label.last,
            first != "-", last != "-"
        else { return false }
        return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
