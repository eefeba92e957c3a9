// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "airgap",
    // Linux only: the code calls Glibc, libcurl and libarchive directly (Debian's -dev packages below),
    // so no Apple platform is declared.
    products: [
        .executable(name: "airgap", targets: ["airgap"]),
    ],
    // Exact versions, so that every build resolves the same code: Package.resolved cannot be committed
    // here (the local package copies' commit ids are not upstream's), so the pins live in this file.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2"),
        // swift-subprocess's own dependency, pinned here too; its FilePath and FileDescriptor are used directly.
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
    ],
    targets: [
        // C libraries from Debian's -dev packages; the shims hold only what Swift cannot call directly.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),

        // The models: references, digests, media types, descriptors, manifests, indexes, image
        // configs and platforms. Every other target names content through these; no I/O here.
        .target(
            name: "OCI",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The distribution-API client over libcurl: transport, auth, registries.conf and certs.d,
        // registry access, whole blob downloads and pushes.
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
        // Tar archives through libarchive, the blob cache and the offline bundle format; knows files
        // and digests, nothing of HTTP.
        .target(
            name: "Archive",
            dependencies: ["CArchive", "OCI"]
        ),
        // Image lists: list files, the seed's bash arrays, suite catalogs, crictl snapshots and their
        // diffs, Kubernetes' e2e manifest.go.
        .target(
            name: "Inventory",
            dependencies: ["OCI", .product(name: "Yams", package: "Yams")]
        ),
        // The per-node copy, load and clean-up procedure, generated from an archive.
        .target(
            name: "Nodes",
            dependencies: [
                "Archive", "OCI",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Moving images between registries, the cache and archives: the only code that copies bytes.
        .target(
            name: "Mirror",
            dependencies: [
                "OCI", "Registry", "Archive",
                .product(name: "Yams", package: "Yams"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "airgap",
            dependencies: [
                "OCI",
                "Registry",
                "Archive",
                "Inventory",
                "Mirror",
                "Nodes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: a scripted HTTP client, an in-memory registry, blob targets.
        .target(name: "TestSupport", dependencies: ["OCI", "Registry"], path: "Tests/TestSupport"),
        .testTarget(name: "OCITests", dependencies: ["OCI"]),
        .testTarget(name: "RegistryTests", dependencies: ["OCI", "Registry", "TestSupport"]),
        .testTarget(name: "ArchiveTests", dependencies: ["OCI", "Archive"]),
        .testTarget(name: "InventoryTests", dependencies: ["OCI", "Inventory", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "MirrorTests", dependencies: ["OCI", "Registry", "Archive", "Mirror", "TestSupport"]),
        .testTarget(name: "NodesTests", dependencies: ["OCI", "Nodes", "Archive"]),
        // The module arrows and the no-flags-in-libraries rule, read from the sources.
        .testTarget(name: "ArchitectureTests"),
        // The CLI's own logic (hints, option parsing), through @testable import of the executable.
        .testTarget(name: "CLITests", dependencies: ["airgap", "OCI", "Registry", "Archive", "Inventory", "Mirror", "TestSupport"]),
        // Against real servers started by scripts/test-servers.sh; fails (never skips) when they are missing.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["OCI", "Registry", "Archive", "Inventory", "Mirror", "Nodes", "TestSupport", .product(name: "Yams", package: "Yams")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
