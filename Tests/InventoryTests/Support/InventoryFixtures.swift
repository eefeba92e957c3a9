import Foundation
import Inventory
import OCI

/// Paths into the repository's testdata/.
enum Testdata {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // InventoryTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("testdata")

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }
}

/// A fresh directory under the system's temporary directory, removed after `body`.
@discardableResult
func inTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try body(directory)
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// A 64-hex-digit id or digest made from a word, so tests can say which image is which.
func hex(_ word: String) -> String {
    let digits = Array("0123456789abcdef")
    var state: UInt64 = 1_469_598_103_934_665_603
    var result = ""
    for _ in 0..<64 {
        for byte in word.utf8 { state = (state ^ UInt64(byte)) &* 1_099_511_628_211 }
        state = (state ^ (state >> 29)) &* 0xBF58_476D_1CE4_E5B9
        result.append(digits[Int(state >> 60)])
    }
    return result
}

/// An image as crictl lists it: `id` from `key`, repoDigests made for each tag's repository
/// (and `digestOnly` repositories).
func crictlImage(_ key: String, tags: [String] = [], digestOnly: [String] = [], pinned: Bool? = nil) -> CrictlImage {
    let repositories = tags.map { String($0[..<$0.lastIndex(of: ":")!]) } + digestOnly
    return CrictlImage(
        id: "sha256:\(hex("id-" + key))", repoTags: tags,
        repoDigests: repositories.map { "\($0)@sha256:\(hex("manifest-" + key))" }, size: 1000, pinned: pinned)
}

/// crictl's `-o json` text for `images`, as crictl 1.26 writes it.
func crictlJSON(_ images: [CrictlImage]) -> String {
    let entries = images.map { image in
        """
            {
              "id": "\(image.id)",
              "repoTags": [\(image.repoTags.map { "\"\($0)\"" }.joined(separator: ", "))],
              "repoDigests": [\(image.repoDigests.map { "\"\($0)\"" }.joined(separator: ", "))],
              "size": "\(image.size ?? 0)",
              "uid": null,
              "username": "",
              "spec": null,
              "pinned": \(image.pinned ?? false)
            }
        """
    }
    return "{\n  \"images\": [\n" + entries.joined(separator: ",\n") + "\n  ]\n}\n"
}

func reference(_ text: String) -> ImageReference {
    do { return try ImageReference(text) } catch { preconditionFailure("\(text): \(error)") }
}

func references(_ texts: String...) -> [ImageReference] { texts.map(reference) }

/// Runs `script` with bash; returns its standard output.
func runBash(_ script: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
