import Dispatch
import Foundation
import OCI
import Testing

// Grammar: OCI image-spec descriptor.md "Digests"; only sha256 is usable by airgap.

private let hex = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"  // sha256("hello")

@Test func parsesSHA256() throws {
    let digest = try Digest("sha256:\(hex)")
    #expect(digest.algorithm == "sha256")
    #expect(digest.encoded == hex)
    #expect(digest.description == "sha256:\(hex)")
    #expect(try Digest.sha256(hex: hex) == digest)
}

@Test(arguments: [
    ("", DigestError.empty),
    (hex, .missingSeparator(hex)),
    (":\(hex)", .invalidAlgorithm(":\(hex)")),
    ("SHA256:\(hex)", .invalidAlgorithm("SHA256:\(hex)")),
    ("sha-:\(hex)", .invalidAlgorithm("sha-:\(hex)")),
    ("sha256:", .invalidSHA256("sha256:")),
    ("sha256:abc", .invalidSHA256("sha256:abc")),
    ("sha256:\(hex)0", .invalidSHA256("sha256:\(hex)0")),
    ("sha256:\(hex.uppercased())", .invalidSHA256("sha256:\(hex.uppercased())")),
    ("sha256:\(hex.dropLast())g", .invalidSHA256("sha256:\(hex.dropLast())g")),
    ("sha256: \(hex.dropFirst())", .invalidSHA256("sha256: \(hex.dropFirst())")),
    ("sha512:\(hex)\(hex)", .unsupportedAlgorithm("sha512", digest: "sha512:\(hex)\(hex)")),
    ("sha384:\(hex)", .unsupportedAlgorithm("sha384", digest: "sha384:\(hex)")),
    ("md5:\(hex.prefix(32))", .unsupportedAlgorithm("md5", digest: "md5:\(hex.prefix(32))")),
    ("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", .unsupportedAlgorithm(
        "sha256+b64u", digest: "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564")),
    ("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", .unsupportedAlgorithm(
        "multihash+base58", digest: "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")),
    ("sha512:not hex!", .invalidEncoded("sha512:not hex!")),
    ("sha256:../../etc/passwd", .unsafeForPath("sha256:../../etc/passwd")),
    ("sha256:\(hex)/x", .unsafeForPath("sha256:\(hex)/x")),
    ("..:\(hex)", .unsafeForPath("..:\(hex)")),
])
func refusesInvalidDigest(_ input: String, _ error: DigestError) {
    #expect(throws: error) { try Digest(input) }
    if !input.isEmpty { #expect(error.description.contains("\"\(input)\"")) }
}

@Test func unsupportedAlgorithmMessage() {
    let error = DigestError.unsupportedAlgorithm("sha512", digest: "sha512:ab")
    #expect(error.description.hasPrefix("unsupported digest algorithm sha512"))
    #expect(error.description.hasSuffix("airgap verifies sha256 only"))
}

@Test func invalidSHA256MessageCountsCharacters() {
    #expect(DigestError.invalidSHA256("sha256:abc").description.contains("got 3"))
}

@Test func codableAsASingleString() throws {
    let digest = try Digest.sha256(hex: hex)
    let data = try JSONEncoder().encode(["d": digest])
    #expect(String(decoding: data, as: UTF8.self) == #"{"d":"sha256:\#(hex)"}"#)
    #expect(try JSONDecoder().decode([String: Digest].self, from: data) == ["d": digest])
    #expect(throws: DecodingError.self) {
        try JSONDecoder().decode([Digest].self, from: Data(#"["sha512:abcd"]"#.utf8))
    }
}

@Test func computesSHA256OfSmallData() {
    #expect(Digest.compute(of: Data("hello".utf8)).encoded == hex)
    #expect(Digest.compute(of: [UInt8]()).encoded
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
}

@Test func digesterStreamsInChunks() {
    // The NIST "abc...nopq" vector, fed in uneven chunks.
    let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    var digester = SHA256Digester()
    var offset = 0
    for size in [1, 7, 0, 20, 100] where offset < message.count {
        let end = min(offset + size, message.count)
        message[offset..<end].withUnsafeBytes { digester.update($0) }
        offset = end
    }
    #expect(digester.byteCount == Int64(message.count))
    #expect(digester.finalize().encoded == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(digester.finalize() == Digest.compute(of: message))
}

@Test func digesterHashesEveryRegionOfNonContiguousData() {
    var data = DispatchData.empty
    for chunk in ["hel", "lo"] {
        Array(chunk.utf8).withUnsafeBytes { data.append($0) }
    }
    #expect(Digest.compute(of: data).encoded == hex)
}

@Test func digestsSortByTheirText() throws {
    let a = try Digest.sha256(hex: String(repeating: "0", count: 64))
    let b = try Digest.sha256(hex: hex)
    #expect([b, a].sorted() == [a, b])
}
