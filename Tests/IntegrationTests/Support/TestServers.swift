import Foundation
import OCI

/// The real servers started by `scripts/test-servers.sh start` (and seeded by `scripts/seed-images.sh`).
///
/// Values come from the environment, else from the script's state file. A missing value is a test
/// failure with instructions, never a skip: these tests prove the stack against real servers.
enum TestServers {
    struct Missing: Error, CustomStringConvertible {
        let key: String
        var description: String {
            "\(key) is not set and no server state was found: run `scripts/test-servers.sh start && scripts/seed-images.sh` first (scripts/test.sh does both)"
        }
    }

    static var stateDirectory: String {
        ProcessInfo.processInfo.environment["AIRGAP_TEST_STATE"] ?? "/tmp/airgap-test-servers"
    }

    private static let stateFile: [String: String] = {
        guard let text = try? String(contentsOfFile: stateDirectory + "/env", encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }()

    static func value(_ key: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[key], !value.isEmpty { return value }
        if let value = stateFile[key], !value.isEmpty { return value }
        throw Missing(key: key)
    }

    /// `host:port` of the plain-http registry.
    static func plainRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY") }
    /// `host:port` of the TLS registry whose certificate is signed by ``caFile()``.
    static func tlsRegistry() throws -> String { try value("AIRGAP_TEST_REGISTRY_TLS") }
    static func caFile() throws -> String { try value("AIRGAP_TEST_CA") }

    /// Digest of a seeded image as skopeo pushed it (from `seeded.txt`), so tests compare with a
    /// second, independent client rather than with hard-coded values.
    static func seededDigest(of name: String, registry: String) throws -> String {
        let list = try String(contentsOfFile: try value("AIRGAP_TEST_SEEDED_LIST"), encoding: .utf8)
        for line in list.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "\(registry)/\(name)" { return String(fields[2]) }
        }
        throw Missing(key: "seeded image \(registry)/\(name)")
    }
}
