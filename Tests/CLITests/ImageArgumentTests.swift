import OCI
import Testing

@testable import airgap

/// Image arguments are references, one each: a bad one is reported in the reference's own words,
/// not as a line of a list file.
@Suite struct ImageArgumentTests {
    @Test func eachArgumentIsOneReference() throws {
        let list = try ImageSelection.parseArguments(["busybox:1.29", "k8s.gcr.io/pause:3.2", "docker.io/library/busybox:1.29"])
        #expect(list.references.map(\.description) == ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"])
    }

    @Test(arguments: [
        ("UPPER/Case:bad tag", "invalid image reference \"UPPER/Case:bad tag\": repository names must be lowercase, got \"Case\""),
        ("busybox:bad tag", "invalid image reference \"busybox:bad tag\": tag \"bad tag\" must be 1 to 128 letters"),
        // What a list file would take as a comment or a quote is part of the argument here.
        ("busybox:1.29 # pinned", "invalid image reference \"busybox:1.29 # pinned\": tag \"1.29 # pinned\""),
        ("\"busybox:1.29\"", "invalid image reference \"\"busybox:1.29\"\""),
        ("", "invalid image reference: empty string"),
    ])
    func aBadArgumentSaysWhatIsWrongWithIt(argument: String, message: String) throws {
        let error = try #require(throws: InvalidImageArguments.self) {
            try ImageSelection.parseArguments(["busybox:1.29", argument])
        }
        #expect(error.description.hasPrefix(message), "\(error.description)")
        #expect(!error.description.contains("command line:"))
        #expect(!error.description.contains("bash array"))
    }

    @Test func everyBadArgumentIsReportedAtOnce() throws {
        let error = try #require(throws: InvalidImageArguments.self) {
            try ImageSelection.parseArguments(["Busybox:1.29", "busybox:1.29", "pause:-3.2"])
        }
        #expect(error.problems.count == 2)
        #expect(error.description.hasPrefix("2 arguments are not image references: invalid image reference \"Busybox:1.29\""))
        #expect(error.description.contains("; invalid image reference \"pause:-3.2\": tag \"-3.2\""))
    }
}
