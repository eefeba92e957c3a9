import Foundation
import Testing

// The module arrows of DESIGN.md, enforced the way go-containerregistry's depcheck does: read every
// `import` of every source file, per target, and fail on one the design forbids. Also: libraries
// speak in data, so no library string names one of the CLI's flags or commands.

/// The package's Sources/ directory, found from this file's path.
private let sources = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // ArchitectureTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root
    .appendingPathComponent("Sources")

private let projectModules: Set<String> = ["OCI", "Registry", "Archive", "Inventory", "Nodes", "Mirror", "CCurl", "CArchive", "airgap"]
private let libraries = ["OCI", "Registry", "Archive", "Inventory", "Nodes", "Mirror"]

/// Which imports each library may not have.
private let forbidden: [String: Set<String>] = [
    "OCI": projectModules,  // the models depend on nothing of ours (Crypto is not a project module)
    "Registry": ["Archive", "Mirror", "Inventory", "Nodes", "CArchive", "airgap"],
    "Archive": ["Registry", "CCurl", "Mirror", "Inventory", "Nodes", "airgap"],
    "Inventory": ["Registry", "CCurl", "Archive", "CArchive", "Mirror", "Nodes", "airgap"],
    "Nodes": ["Registry", "CCurl", "Mirror", "Inventory", "airgap"],
    "Mirror": ["airgap", "Nodes"],
]

/// Text of every Swift file under `Sources/<target>`, by path.
private func files(of target: String) throws -> [(path: String, text: String)] {
    let root = sources.appendingPathComponent(target)
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
    return try walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }.map {
        ($0.path.replacingOccurrences(of: sources.path + "/", with: ""), try String(contentsOf: $0, encoding: .utf8))
    }
}

/// The modules a file imports (`import X`, `@testable import X`, `import struct X.Y`).
private func imports(in text: String) -> [String] {
    text.split(separator: "\n").compactMap { line in
        let words = line.split(separator: " ").map(String.init).filter { !$0.hasPrefix("@") }
        guard words.first == "import" else { return nil }
        let module = words.count > 2 ? words[2] : (words.count > 1 ? words[1] : "")
        return String(module.split(separator: ".").first ?? "")
    }
}

@Test(arguments: libraries)
func aLibraryImportsOnlyWhatTheDesignAllows(target: String) throws {
    let found = try files(of: target)
    #expect(!found.isEmpty, "Sources/\(target) has no Swift files: is the path right?")
    for file in found {
        let bad = imports(in: file.text).filter { forbidden[target, default: []].contains($0) || $0 == "ArgumentParser" }
        #expect(bad.isEmpty, "\(file.path) imports \(bad.joined(separator: ", ")), which \(target) may not")
    }
}

@Test func theImportScannerSeesEveryForm() {
    #expect(imports(in: "import Foundation\n@testable import Registry\nimport struct Archive.BlobStore\n// import Nodes") == ["Foundation", "Registry", "Archive"])
}

/// The CLI's long flag names: `customLong("x")`, else the property name in kebab case, as
/// swift-argument-parser derives it.
private func cliFlags() throws -> Set<String> {
    var flags: Set<String> = []
    for file in try files(of: "airgap") {
        let text = file.text
        var searchStart = text.startIndex
        while let attribute = text.range(of: #"@(Option|Flag)\b"#, options: .regularExpression, range: searchStart..<text.endIndex) {
            guard let variable = text.range(of: #"\bvar\s+[A-Za-z]+"#, options: .regularExpression, range: attribute.upperBound..<text.endIndex) else { break }
            let declaration = text[attribute.lowerBound..<variable.upperBound]
            if let custom = declaration.range(of: #"customLong\("[a-z0-9-]+""#, options: .regularExpression) {
                flags.insert(String(declaration[custom].dropFirst("customLong(\"".count).dropLast()))
            } else {
                let name = text[variable].split(separator: " ").last.map(String.init) ?? ""
                flags.insert(name.reduce(into: "") { kebab, character in
                    if character.isUppercase { kebab += "-" + character.lowercased() } else { kebab.append(character) }
                })
            }
            searchStart = variable.upperBound
        }
    }
    return flags
}

/// Text other programs read, where one of their flags happens to share a name with ours.
private let otherProgramsFlags = ["sha256sum --check --quiet --strict"]

@Test(arguments: libraries)
func aLibraryNamesNoneOfTheCLIsFlagsOrCommands(target: String) throws {
    let flags = try cliFlags()
    #expect(flags.isSuperset(of: ["tls-verify", "authfile", "cache", "output", "jobs", "quiet"]), "the flag scanner missed flags: \(flags.sorted())")
    for file in try files(of: target) {
        for (number, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.trimmingCharacters(in: .whitespaces)
            guard !code.hasPrefix("//"), code.contains("\""), !otherProgramsFlags.contains(where: code.contains) else { continue }
            let named = flags.filter { code.range(of: "--\($0)(?![a-z-])", options: .regularExpression) != nil }
            #expect(named.isEmpty, "\(file.path):\(number + 1) names the CLI's \(named.sorted().map { "--\($0)" }): \(code)")
            #expect(!code.contains("`airgap "), "\(file.path):\(number + 1) names an airgap command: \(code)")
        }
    }
}
