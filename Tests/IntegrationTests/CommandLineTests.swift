import Foundation
import Testing

/// The CLI's own surface, through the real binary: help that lists what works, and the version.
@Suite struct CommandLineTests {
    @Test func versionNamesAirgapAndLibcurl() throws {
        let result = try AirgapBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("airgap 0.1.0 (libcurl/"))
    }

    @Test func helpListsEverySubcommandThatWorks() throws {
        let result = try AirgapBinary.run(["--help"])
        #expect(result.status == 0)
        for command in ["bundle", "mirror", "support-tools", "inventory", "nodes", "inspect", "verify", "login", "logout"] {
            #expect(result.stdout.contains("  \(command) "), "--help lists \(command)")
        }
    }

    @Test(arguments: ["bundle", "mirror", "support-tools", "inventory", "nodes", "inspect", "verify", "login", "logout"])
    func eachSubcommandHasHelp(command: String) throws {
        let result = try AirgapBinary.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: airgap \(command)"))
    }

    @Test func anUnknownCommandIsAnError() throws {
        let result = try AirgapBinary.run(["frobnicate"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("frobnicate"))
    }
}
