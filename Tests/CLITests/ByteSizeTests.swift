import Testing

@testable import airgap

/// `--max-size` reads sizes as `split --bytes` does: K/M/G/T in powers of 1024, KB/MB/GB/TB in
/// powers of 1000.
@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("4G", Int64(4) << 30), ("4000M", Int64(4000) << 20), ("4.7GB", Int64(4_700_000_000)), ("512", 512),
        ("100K", 102_400), ("100KiB", 102_400), ("100kb", 100_000), ("1t", Int64(1) << 40), (" 2 MB ", 2_000_000),
    ])
    func sizesAreReadAsSplitReadsThem(text: String, bytes: Int64) {
        #expect(ByteSize(argument: text)?.bytes == bytes)
        #expect(ByteSize(argument: text)?.description == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: ["", "0", "-1G", "4X", "G", "1e3", "0.1", "99999999999T"])
    func nonsenseIsRefused(text: String) {
        #expect(ByteSize(argument: text) == nil)
    }
}
