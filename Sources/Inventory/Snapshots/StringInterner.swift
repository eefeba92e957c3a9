import Foundation

/// Hands out one `String` for equal bytes: the ids, tags and digests that 500 nodes repeat are
/// allocated once each instead of 500 times, and strings from different nodes then compare equal
/// by identity before any byte is looked at.
///
/// Not thread-safe: each parsing worker has its own.
final class StringInterner {
    private var strings: [String] = []
    /// Open addressing: 1-based indices into `strings` (0 = empty), a power of two long.
    private var slots = [Int](repeating: 0, count: 1024)
    private var hashes = [UInt64](repeating: 0, count: 1024)

    /// The string for `bytes` (valid UTF-8 assumed, as for `String(decoding:as:)`).
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            if hashes[slot] == hash {
                let candidate = strings[slots[slot] - 1]
                if Self.equal(candidate, bytes) { return candidate }
            }
            slot = (slot + 1) & mask
        }
        let string = String(decoding: bytes, as: UTF8.self)
        strings.append(string)
        slots[slot] = strings.count
        hashes[slot] = hash
        if strings.count * 2 > slots.count { grow() }
        return string
    }

    private static func equal(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Strings made here are native, so their UTF-8 is contiguous; memcmp beats a generic loop.
        let same = string.utf8.withContiguousStorageIfAvailable { stored in
            stored.count == bytes.count && (bytes.isEmpty || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        return same ?? string.utf8.elementsEqual(bytes)
    }

    private func grow() {
        let count = slots.count * 2
        var newSlots = [Int](repeating: 0, count: count)
        var newHashes = [UInt64](repeating: 0, count: count)
        for (slot, index) in slots.enumerated() where index != 0 {
            var target = Int(truncatingIfNeeded: hashes[slot]) & (count - 1)
            while newSlots[target] != 0 { target = (target + 1) & (count - 1) }
            newSlots[target] = index
            newHashes[target] = hashes[slot]
        }
        slots = newSlots
        hashes = newHashes
    }

    /// Length and the first and last eight bytes, mixed: ids and digests end in random hex, and
    /// names differ at one end or the other; equal hashes are checked byte for byte anyway.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        if bytes.count >= 8, let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            hash ^= raw.loadUnaligned(as: UInt64.self)
            hash = (hash ^ (hash >> 31)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
        } else {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        hash = (hash ^ (hash >> 29)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 32)
    }
}
