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

    static let everyCommand = [
        [], ["bundle"], ["mirror"], ["support-tools"], ["inventory"], ["inventory", "diff"], ["inventory", "snapshot-script"],
        ["inventory", "save-suite"], ["inventory", "suites"], ["inventory", "compare"], ["inventory", "e2e"], ["nodes"],
        ["nodes", "load-script"], ["nodes", "clean-script"], ["nodes", "run"], ["inspect"], ["verify"], ["login"], ["logout"],
    ]

    /// The lines of the help's "Example(s):" block, without the heading.
    static func examples(_ help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0 == "Examples:" || $0 == "Example:" }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    /// On an 80-column terminal the help wraps its prose, but an example wrapped in the middle of a
    /// command could not be pasted: long ones are split with `\` continuations instead.
    @Test(arguments: everyCommand)
    func examplesFitEightyColumnsWithoutWrapping(command: [String]) throws {
        let narrow = try AirgapBinary.run(command + ["--help"], environment: ["COLUMNS": "80"])
        let wide = try AirgapBinary.run(command + ["--help"], environment: ["COLUMNS": "1000"])
        #expect(narrow.status == 0 && wide.status == 0)
        let examples = Self.examples(wide.stdout)
        #expect(Self.examples(narrow.stdout) == examples, "airgap \(command.joined(separator: " ")) --help")
        for line in examples {
            #expect(line.count <= 80, "\(line)")
            #expect(line.hasPrefix("  "), "an example line that starts at column 0 is a wrapped one: \(line)")
        }
        // Every line of a continued command is indented further than the command's first line.
        for (line, next) in zip(examples, examples.dropFirst()) where line.hasSuffix(" \\") {
            #expect(next.hasPrefix("    "), "\(next)")
        }
    }

    @Test func mirrorsUsageNamesSourceAndDestination() throws {
        let result = try AirgapBinary.run(["mirror", "--help"], environment: ["COLUMNS": "80"])
        #expect(result.stdout.contains("USAGE: airgap mirror <source> <destination> [<options>]\n"), "\(result.stdout)")
        #expect(result.stdout.contains("\n  <source> "))
        #expect(result.stdout.contains("\n  <destination> "))
        let tooMany = try AirgapBinary.run(["mirror", "a.example/x:1", "b.example", "c.example"])
        #expect(tooMany.status != 0)
        #expect(tooMany.stderr.contains("c.example"))
    }

    /// bundle creates its default cache before it finds the output's folder missing, so
    /// BundleTests' bad-input table once left ~/.cache/airgap behind: every run of the binary gets
    /// a default cache of its own unless the test names one (scripts/test.sh checks the real one).
    @Test func everyRunHasADefaultCacheOfItsOwn() {
        let inherited = AirgapBinary.isolatedEnvironment(["HOME": "/h"], cacheHome: "/scratch/xdg-cache")
        #expect(inherited["XDG_CACHE_HOME"] == "/scratch/xdg-cache" && inherited["HOME"] == "/h")
        let named = AirgapBinary.isolatedEnvironment(["XDG_CACHE_HOME": "/sandbox/cache"], cacheHome: "/scratch/xdg-cache")
        #expect(named["XDG_CACHE_HOME"] == "/sandbox/cache")
    }

    @Test func anUnknownCommandIsAnError() throws {
        let result = try AirgapBinary.run(["frobnicate"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("frobnicate"))
    }
}
