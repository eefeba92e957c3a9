// The validated parts of an image reference. Grammar from distribution/reference
// (https://github.com/distribution/reference/blob/main/regexp.go):
//   path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [._] | __ | [-]+
//   path           := path-component ('/' path-component)*
//   tag            := [\w][\w.-]{0,127}

extension ImageReference {
    /// A repository path such as `library/busybox` or `e2e-test-images/agnhost`: the part of a
    /// name after the registry domain.
    public struct Repository: Sendable, Hashable, CustomStringConvertible {
        /// The path, `/`-separated components.
        public let value: String

        /// distribution/reference's `RepositoryNameTotalLengthMax`. It bounds the path alone,
        /// not the domain (reference.go checks `len(repo.path)`), after `library/` is added.
        public static let maximumLength = 255

        /// Validates a repository path as written in a reference (no domain, tag or digest).
        /// No normalization happens here: `busybox` stays `busybox`.
        public init(_ path: String) throws(ReferenceError) {
            try Self.validate(path, reference: path)
            self.value = path
        }

        init(uncheckedValue: String) { self.value = uncheckedValue }

        /// The `/`-separated components.
        public var components: [Substring] { value.split(separator: "/", omittingEmptySubsequences: false) }

        public var description: String { value }

        /// Checks a path, naming `reference` (the user's whole input) in any error.
        /// The checks run in distribution's order: case first, then grammar, then length.
        static func validate(_ path: String, reference: String) throws(ReferenceError) {
            try validateComponents(path, reference: reference)
            try validateLength(path, reference: reference)
        }

        /// Case and component grammar; run on the path as the user wrote it, so errors quote it.
        public static func validateComponents(_ path: some StringProtocol, reference: String) throws(ReferenceError) {
            if path.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                throw .uppercaseRepository(String(path), reference: reference)
            }
            for component in path.split(separator: "/", omittingEmptySubsequences: false)
            where !isValidComponent(component) {
                throw .invalidPathComponent(String(component), reference: reference)
            }
        }

        /// The length limit; run on the normalized path (with `library/`), as distribution does.
        static func validateLength(_ path: String, reference: String) throws(ReferenceError) {
            let length = path.utf8.count
            if length > maximumLength {
                throw .nameTooLong(length: length, limit: maximumLength, reference: reference)
            }
        }

        /// `[a-z0-9]+` runs joined by exactly `.`, `_`, `__` or one or more `-`.
        static func isValidComponent(_ component: some StringProtocol) -> Bool {
            let bytes = Array(component.utf8)
            guard let first = bytes.first, let last = bytes.last,
                isLowerAlphanumeric(first), isLowerAlphanumeric(last)
            else { return false }
            var index = 0
            while index < bytes.count {
                if isLowerAlphanumeric(bytes[index]) {
                    index += 1
                    continue
                }
                var end = index
                while end < bytes.count, !isLowerAlphanumeric(bytes[end]) { end += 1 }
                let separator = bytes[index..<end]
                let allowed =
                    separator.elementsEqual([UInt8(ascii: ".")])
                    || separator.elementsEqual([UInt8(ascii: "_")])
                    || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                    || separator.allSatisfy { $0 == UInt8(ascii: "-") }
                guard allowed else { return false }
                index = end
            }
            return true
        }

        private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }

    /// A tag such as `1.29` or `latest`: 1 to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`.
    public struct Tag: Sendable, Hashable, CustomStringConvertible {
        /// The tag text.
        public let value: String

        /// The longest tag distribution accepts.
        public static let maximumLength = 128

        /// The tag assumed when a reference names neither a tag nor a digest.
        public static let latest = Tag(uncheckedValue: "latest")

        /// Validates a tag as written after `:` in a reference.
        public init(_ tag: String) throws(ReferenceError) {
            try Self.validate(tag, reference: tag)
            self.value = tag
        }

        init(uncheckedValue: String) { self.value = uncheckedValue }

        public var description: String { value }

        static func validate(_ tag: String, reference: String) throws(ReferenceError) {
            let bytes = tag.utf8
            guard let first = bytes.first, bytes.count <= maximumLength,
                first != UInt8(ascii: "."), first != UInt8(ascii: "-"),
                bytes.allSatisfy(isTagCharacter)
            else { throw .invalidTag(tag, reference: reference) }
        }

        /// Go's `\w` (ASCII letters, digits, `_`) plus `.` and `-`.
        private static func isTagCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}

// Both encode as their plain string and validate when decoded, like `Digest`.

/// A reference component that is a string checked when it is made.
protocol ValidatedComponent: Codable {
    init(_ value: String) throws
    var value: String { get }
}

extension ValidatedComponent {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            self = try Self(container.decode(String.self))
        } catch let error as ReferenceError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension ImageReference.Repository: ValidatedComponent {}
extension ImageReference.Tag: ValidatedComponent {}
