import Foundation

/// A problem at a byte offset of a JSON text; the caller turns the offset into a line number.
struct JSONFault: Error {
    var offset: Int
    var reason: String
    /// True when the text ended inside a value: a truncated file, not a wrong one.
    var isEndOfInput = false
}

/// Reads `crictl images -o json` output straight from bytes.
///
/// Hand-written rather than `JSONDecoder` for two reasons: errors carry the offset of the bad
/// value (so messages give a line), and a 500-node snapshot set is over 100 MB of JSON, which this
/// reads several times faster, creating strings only for the values it keeps.
///
/// Accepts every crictl version's shape: `size` as a string or a number, `repoTags` and
/// `repoDigests` as `null`, and any other field (`uid`, `username`, `spec`) in any form.
struct CrictlJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    var position: Int
    /// How deep `skipValue` may nest before the input is refused: a guard against a stack overflow.
    static let maximumDepth = 256

    /// Where kept strings come from, shared by the files one worker reads.
    let interner: StringInterner

    init(bytes: UnsafeBufferPointer<UInt8>, position: Int, interner: StringInterner) {
        self.bytes = bytes
        self.position = position
        self.interner = interner
    }

    /// Reads one `{"images": […]}` object starting at `position`, leaving `position` after its `}`.
    mutating func readOutput() throws(JSONFault) -> [CrictlImage] {
        let start = position
        try expect(.openBrace, as: "a JSON object")
        var images: [CrictlImage]?
        var first = true
        while try nextMember(&first, closing: .closeBrace) {
            let key = try readKey()
            if key == .images { images = try readImages() } else { try skipValue(depth: 1) }
        }
        guard let images else {
            throw JSONFault(offset: start, reason: "no \"images\" field: this JSON is not the output of `crictl images -o json`")
        }
        return images
    }

    // MARK: - crictl's fields

    private mutating func readImages() throws(JSONFault) -> [CrictlImage] {
        skipWhitespace()
        if try readNull() { return [] }
        guard peek == .openBracket else { throw wrongType("\"images\" must be a list", found: position) }
        position += 1
        var images: [CrictlImage] = []
        var first = true
        while try nextMember(&first, closing: .closeBracket) {
            images.append(try readImage())
        }
        return images
    }

    private mutating func readImage() throws(JSONFault) -> CrictlImage {
        skipWhitespace()
        let start = position
        guard peek == .openBrace else { throw wrongType("each image must be an object", found: position) }
        position += 1
        var id: String?
        var image = CrictlImage(id: "")
        var first = true
        while try nextMember(&first, closing: .closeBrace) {
            switch try readKey() {
            case .id:
                skipWhitespace()
                guard peek == .quote else { throw wrongType("\"id\" must be a string", found: position) }
                id = try readString()
            case .repoTags:
                image.repoTags = try readStringList(named: "repoTags")
            case .repoDigests:
                image.repoDigests = try readStringList(named: "repoDigests")
            case .size:
                image.size = try readSize()
            case .pinned:
                image.pinned = try readBoolean(named: "pinned")
            case .images, nil:
                try skipValue(depth: 2)
            }
        }
        guard let id else { throw JSONFault(offset: start, reason: "an image without an \"id\"") }
        image.id = id
        return image
    }

    private mutating func readStringList(named name: String) throws(JSONFault) -> [String] {
        skipWhitespace()
        if try readNull() { return [] }
        guard peek == .openBracket else { throw wrongType("\"\(name)\" must be a list of strings", found: position) }
        position += 1
        var values: [String] = []
        var first = true
        while try nextMember(&first, closing: .closeBracket) {
            skipWhitespace()
            guard peek == .quote else { throw wrongType("\"\(name)\" must hold strings", found: position) }
            values.append(try readString())
        }
        return values
    }

    /// protobuf JSON writes uint64 as a string; a number is accepted as well.
    private mutating func readSize() throws(JSONFault) -> UInt64? {
        skipWhitespace()
        let start = position
        if try readNull() { return nil }
        // The digits are read in place: a String per size would be 300,000 allocations in a
        // 500-node diff, for a number nothing keeps as text.
        let quoted = peek == .quote
        guard quoted || peek.map({ $0 == UInt8(ascii: "-") || isDigit($0) }) == true else {
            throw wrongType("\"size\" must be a number of bytes", found: start)
        }
        if quoted { position += 1 }
        var value: UInt64 = 0
        var digits = 0
        var overflow = false
        while let byte = peek, isDigit(byte) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            value = sum
            digits += 1
            position += 1
        }
        let ended = quoted ? peek == .quote : !(peek.map(isNumberByte) ?? false)
        guard digits > 0, ended, !overflow else {
            position = start
            let text = quoted ? try readString() : skipNumberText()
            throw JSONFault(offset: start, reason: "\"size\" must be a whole number of bytes, found \"\(text)\"")
        }
        if quoted { position += 1 }
        return value
    }

    /// The text of a number at `position`, for an error message.
    private mutating func skipNumberText() -> String {
        let start = position
        while let byte = peek, isNumberByte(byte) { position += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func readBoolean(named name: String) throws(JSONFault) -> Bool? {
        skipWhitespace()
        if try readNull() { return nil }
        if try readLiteral("true") { return true }
        if try readLiteral("false") { return false }
        throw wrongType("\"\(name)\" must be true or false", found: position)
    }

    // MARK: - Keys

    /// The fields this reader keeps; every other key is skipped.
    private enum Key {
        case images, id, repoTags, repoDigests, size, pinned
    }

    private mutating func readKey() throws(JSONFault) -> Key? {
        skipWhitespace()
        guard peek == .quote else {
            if position >= bytes.count { throw endOfInput() }
            throw JSONFault(offset: position, reason: "expected a field name in quotes, found \(describe(at: position))")
        }
        let key: Key?
        if let raw = rawString() {
            key = Self.key(raw, in: bytes)
            position = raw.upperBound + 1
        } else {
            // A name with escapes: rare enough that decoding it first is fine.
            key = Self.key(named: try readString())
        }
        skipWhitespace()
        try expect(.colon, as: "\":\" after a field name")
        return key
    }

    private static func key(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Key? {
        func equals(_ literal: StaticString) -> Bool {
            range.count == literal.utf8CodeUnitCount
                && memcmp(bytes.baseAddress! + range.lowerBound, literal.utf8Start, range.count) == 0
        }
        switch range.count {
        case 2: return equals("id") ? .id : nil
        case 4: return equals("size") ? .size : nil
        case 6: return equals("images") ? .images : equals("pinned") ? .pinned : nil
        case 8: return equals("repoTags") ? .repoTags : nil
        case 11: return equals("repoDigests") ? .repoDigests : nil
        default: return nil
        }
    }

    private static func key(named name: String) -> Key? {
        ["images": Key.images, "id": .id, "repoTags": .repoTags, "repoDigests": .repoDigests, "size": .size, "pinned": .pinned][name]
    }
}
