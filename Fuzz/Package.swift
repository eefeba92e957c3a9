// swift-tools-version:6.0
// libFuzzer targets for airgap's parsers. Not part of the main build: scripts/fuzz.sh builds and
// runs them (`swift build --package-path Fuzz --scratch-path Fuzz/.build -c release
// -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`).
//
// The main package exports only the `airgap` executable, and SwiftPM cannot depend on another
// package's plain targets, so Sources/CCurl, Sources/OCI, Sources/Registry and Sources/Inventory here are
// committed symlinks to ../../Sources/…: the very files the main package builds, compiled again
// with the fuzzer's instrumentation. The dependencies below mirror the main Package.swift's.
import PackageDescription

/// One libFuzzer executable: `LLVMFuzzerTestOneInput` in Sources/<name>/, and a main.swift that
/// hands it to libFuzzer's driver.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies + ["FuzzerDriver"])
}

let package = Package(
    name: "airgap-fuzz",
    products: [
        .executable(name: "fuzz-reference", targets: ["FuzzReference"]),
        .executable(name: "fuzz-auth-challenge", targets: ["FuzzAuthChallenge"]),
        .executable(name: "fuzz-manifest-document", targets: ["FuzzManifestDocument"]),
        .executable(name: "fuzz-manifest-models", targets: ["FuzzManifestModels"]),
        .executable(name: "fuzz-crictl-snapshot", targets: ["FuzzCrictlSnapshot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
    ],
    targets: [
        // Symlinks to the main package's targets (see above); same names, same dependencies.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "OCI", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Registry",
            dependencies: [
                "CCurl",
                "OCI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "Inventory", dependencies: ["OCI", .product(name: "Yams", package: "Yams")]),

        // libFuzzer's driver, called from each target's main.swift.
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzerDriver", dependencies: ["CLibFuzzer"]),
        // Properties every decoded manifest, index and config must have, shared by two targets.
        .target(name: "ManifestChecks", dependencies: ["OCI"]),

        // The parsers of models link the models alone; only the challenge parser needs the client.
        fuzzTarget("FuzzReference", ["OCI"]),
        fuzzTarget("FuzzAuthChallenge", ["Registry"]),
        fuzzTarget("FuzzManifestDocument", ["OCI", "ManifestChecks"]),
        fuzzTarget("FuzzManifestModels", ["OCI", "ManifestChecks"]),
        fuzzTarget("FuzzCrictlSnapshot", ["Inventory"]),
    ],
    swiftLanguageModes: [.v6]
)
