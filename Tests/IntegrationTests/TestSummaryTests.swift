import Foundation
import Testing

/// scripts/test.sh's closing line (scripts/test-summary.sh) names the tests that failed, not only
/// how many, from the per-test lines Swift Testing prints.
@Suite struct TestSummaryTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/test-summary.sh").path

    /// Lines as `swift test` prints them, with the totals and other noise around the results.
    static let log = """
        ◇ Test run started.
        ✔ Test versionNamesAirgapAndLibcurl() passed after 0.010 seconds.
        ✘ Test anEmptyAuthFileIsSaidToBeEmpty() recorded an issue at LoginTests.swift:12:5: Expectation failed
        ✘ Test anEmptyAuthFileIsSaidToBeEmpty() failed after 0.282 seconds with 1 issue.
        ✔ Test badInput(arguments:message:) passed after 0.300 seconds.
        ✘ Test examplesFitEightyColumnsWithoutWrapping(command:) failed after 1.2 seconds with 2 issues.
        ✘ Suite CommandLineTests failed after 1.3 seconds with 2 issues.
        ✘ Test run with 4 tests in 2 suites failed after 1.5 seconds with 3 issues.

        """

    private func summary(_ log: String, _ arguments: [String]) throws -> (status: Int32, line: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-summary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("log")
        try Data(log.utf8).write(to: file)
        let output = directory.appendingPathComponent("out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script, file.path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    @Test func theClosingLineNamesEveryFailedTestOnce() throws {
        let result = try summary(Self.log, ["--status", "1", "+scripts/test-install.sh", "-no write into /root/.cache/airgap"])
        #expect(result.status == 1)
        #expect(result.line == """
            3 passed, 3 failed: anEmptyAuthFileIsSaidToBeEmpty(), examplesFitEightyColumnsWithoutWrapping(command:), \
            no write into /root/.cache/airgap

            """)
    }

    @Test func aPassingRunSaysSo() throws {
        let log = "✔ Test a() passed after 0.1 seconds.\n✔ Test run with 1 test in 1 suite passed after 0.1 seconds.\n"
        let result = try summary(log, ["--status", "0"])
        #expect(result.status == 0)
        #expect(result.line == "1 passed, 0 failed\n")
    }

    @Test func aFailedRunWithoutAFailedTestNamesSwiftTest() throws {
        let result = try summary("error: fatalError\n", ["--status", "134"])
        #expect(result.status == 1)
        #expect(result.line == "0 passed, 1 failed: swift test (exit status 134)\n")
    }
}
