import Foundation
import OCI
import Testing

@testable import Registry

private let digest = "sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"
private let system = RegistriesFixtures.path("system/registries.conf")
private let systemDropIns = RegistriesFixtures.path("system/registries.conf.d")

/// Inputs to `RegistriesConfigurationFiles.locate` and the files it must pick.
struct RegistriesConfFileChoice: Sendable, CustomTestStringConvertible {
    var flag: String?
    var environment: [String: String]
    var userFileExists: Bool
    var expected: RegistriesConfigurationFiles
    var why: String
    var testDescription: String { why }
}

private let choices: [RegistriesConfFileChoice] = [
    .init(
        flag: "/tmp/mine.conf", environment: ["HOME": "/home/u", "CONTAINERS_REGISTRIES_CONF": "/tmp/env.conf"],
        userFileExists: true, expected: .init(mainFile: "/tmp/mine.conf", mainFileIsRequired: true),
        why: "--registries-conf alone, before everything"),
    .init(
        flag: nil, environment: ["HOME": "/home/u", "CONTAINERS_REGISTRIES_CONF": "/tmp/env.conf"],
        userFileExists: true, expected: .init(mainFile: "/tmp/env.conf", mainFileIsRequired: true),
        why: "$CONTAINERS_REGISTRIES_CONF alone"),
    .init(
        flag: nil, environment: ["HOME": "/home/u", "CONTAINERS_REGISTRIES_CONF": ""], userFileExists: true,
        expected: .init(
            mainFile: "/home/u/.config/containers/registries.conf", mainFileIsRequired: false,
            dropInDirectories: ["/home/u/.config/containers/registries.conf.d"]),
        why: "the user file replaces the system file and its drop-ins"),
    .init(
        flag: nil, environment: ["HOME": "/home/u"], userFileExists: false,
        expected: .init(
            mainFile: "/etc/containers/registries.conf", mainFileIsRequired: false,
            dropInDirectories: ["/etc/containers/registries.conf.d", "/home/u/.config/containers/registries.conf.d"]),
        why: "the system file, then system and user drop-ins"),
    .init(
        flag: nil, environment: [:], userFileExists: false,
        expected: .init(
            mainFile: "/etc/containers/registries.conf", mainFileIsRequired: false,
            dropInDirectories: ["/etc/containers/registries.conf.d"]),
        why: "no HOME: system files only"),
]

@Suite struct RegistriesConfigurationFilesTests {
    @Test(arguments: choices)
    func locate(choice: RegistriesConfFileChoice) {
        let files = RegistriesConfigurationFiles.locate(
            registriesConf: choice.flag, environment: choice.environment,
            fileExists: { $0.hasPrefix("/home/u/.config/containers/registries.conf") && choice.userFileExists })
        #expect(files == choice.expected)
    }

    private func load(home: String?, flag: String? = nil) throws -> RegistriesConfiguration {
        let environment = home.map { ["HOME": RegistriesFixtures.path($0)] } ?? [:]
        return try RegistriesConfiguration.load(
            RegistriesConfigurationFiles.locate(
                registriesConf: flag, environment: environment,
                systemFile: system, systemDropInDirectory: systemDropIns))
    }

    private func sources(_ configuration: RegistriesConfiguration, _ reference: String) throws -> [String] {
        try configuration.pullSources(for: ImageReference(reference)).map(\.description)
    }

    @Test func dropInsOverrideByPrefixInNameOrderAndUserDropInsComeLast() throws {
        let configuration = try load(home: "home-dropins-only")
        // 20-override.conf replaced the system file's docker.io table, mirrors included.
        #expect(try sources(configuration, "busybox:1") == ["docker.io/library/busybox:1"])
        #expect(
            try sources(configuration, "busybox@\(digest)") == [
                "dropin-mirror.example.com/library/busybox@\(digest) (mirror)", "docker.io/library/busybox@\(digest)",
            ])
        #expect(configuration.unqualifiedSearchRegistries == ["quay.io", "docker.io"])
        // The system file's other table survives.
        #expect(configuration.isInsecure(host: "registry.example.com"))
        // 10-quay.conf added quay.io; the user drop-in, read last, blocked it, and the error names it.
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try configuration.pullSources(for: ImageReference("quay.io/a/b:1"))
        }
        #expect(
            error?.description.contains(
                RegistriesFixtures.path("home-dropins-only/.config/containers/registries.conf.d/50-user.conf")) == true)
    }

    @Test func theUserFileReplacesTheSystemFileAndItsDropIns() throws {
        let configuration = try load(home: "home-with-file")
        #expect(
            try sources(configuration, "busybox:1") == [
                "user-mirror.example.com/library/busybox:1 (mirror)", "docker.io/library/busybox:1",
            ])
        #expect(try sources(configuration, "quay.io/a/b:1") == ["user-quay.example.com/a/b:1"])
        #expect(!configuration.isInsecure(host: "registry.example.com"))
        #expect(configuration.unqualifiedSearchRegistries == nil)
    }

    @Test func anExplicitFileIsReadAlone() throws {
        let configuration = try load(home: "home-dropins-only", flag: system)
        #expect(
            try sources(configuration, "busybox:1") == [
                "system-mirror.example.com/library/busybox:1 (mirror)", "docker.io/library/busybox:1",
            ])
        #expect(try sources(configuration, "quay.io/a/b:1") == ["quay.io/a/b:1"])
    }

    @Test func aMissingExplicitFileIsAnError() {
        #expect(throws: RegistriesConfigurationError.missingFile("/nonexistent/registries.conf")) {
            _ = try RegistriesConfiguration.load(registriesConf: "/nonexistent/registries.conf", environment: [:])
        }
    }

    @Test func missingDefaultFilesAreAnEmptyConfiguration() throws {
        let files = RegistriesConfigurationFiles.locate(
            registriesConf: nil, environment: ["HOME": "/nonexistent/home"],
            systemFile: "/nonexistent/registries.conf", systemDropInDirectory: "/nonexistent/registries.conf.d")
        #expect(try RegistriesConfiguration.load(files) == RegistriesConfiguration())
    }

    @Test func aBrokenDropInIsNamed() throws {
        let root = try RegistriesFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try RegistriesFixtures.write("[[registry]]\nprefix = \"quay.io\"\ninsecure = \"yes\"\n", to: "\(root)/d/30-broken.conf")
        let files = RegistriesConfigurationFiles(
            mainFile: system, mainFileIsRequired: true, dropInDirectories: [systemDropIns, "\(root)/d"])
        let error = #expect(throws: RegistriesConfigurationError.self) { _ = try RegistriesConfiguration.load(files) }
        #expect(error?.description.hasPrefix("\(root)/d/30-broken.conf: [[registry]] #1 (prefix \"quay.io\"): ") == true)
    }

    @Test func dropInsAreOnlyConfFilesSortedByName() throws {
        let root = try RegistriesFixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["b.conf", "a.conf", "10.conf", "notes.txt", "c.conf.bak"] {
            try RegistriesFixtures.write("", to: "\(root)/\(name)")
        }
        try FileManager.default.createDirectory(atPath: "\(root)/sub.conf", withIntermediateDirectories: true)
        #expect(try RegistriesConfiguration.dropIns(in: root) == ["10.conf", "a.conf", "b.conf"].map { "\(root)/\($0)" })
        #expect(try RegistriesConfiguration.dropIns(in: "\(root)/missing") == [])
    }
}
