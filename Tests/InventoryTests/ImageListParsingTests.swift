import Inventory
import OCI
import Testing

// The two forms ImageList.parse accepts: a plain list, and the seed's bash array pasted as is.

/// The seed's openshift-conformance-minimal block, byte for byte.
let seedMinimalBlock = """
    export IMAGES=(
          "docker.io/library/busybox:1.29"
          "docker.io/library/httpd:2.4.38-alpine"
          "docker.io/library/nginx:1.14-alpine"
          "gcr.io/kubernetes-e2e-test-images/mounttest:1.0"
          "k8s.gcr.io/pause:3.2"
          "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"
          )

    """

private let digest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

@Test(
    arguments: [
        ("empty text", "", []),
        ("only comments and blanks", "# nothing yet\n\n   \n\t# still nothing\n", []),
        (
            "plain list with comments and whitespace",
            """
            # images for the minimal suite
              busybox:1.29\t
            docker.io/library/httpd:2.4.38-alpine   # web server

            k8s.gcr.io/pause:3.2
            """,
            ["docker.io/library/busybox:1.29", "docker.io/library/httpd:2.4.38-alpine", "k8s.gcr.io/pause:3.2"]
        ),
        (
            "quoted reference in a plain list", "\"busybox:1.29\"\n'nginx:1.14-alpine'",
            ["docker.io/library/busybox:1.29", "docker.io/library/nginx:1.14-alpine"]
        ),
        (
            "seed block as pasted", seedMinimalBlock,
            [
                "docker.io/library/busybox:1.29", "docker.io/library/httpd:2.4.38-alpine",
                "docker.io/library/nginx:1.14-alpine", "gcr.io/kubernetes-e2e-test-images/mounttest:1.0",
                "k8s.gcr.io/pause:3.2", "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20",
            ]
        ),
        (
            "no export, single quotes", "IMAGES=(\n  'busybox:1.29'\n  'k8s.gcr.io/pause:3.2'\n)",
            ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"]
        ),
        (
            "one line, mixed quoting", #"IMAGES=(busybox:1.29 'nginx:1.14-alpine' "k8s.gcr.io/pause:3.2")"#,
            ["docker.io/library/busybox:1.29", "docker.io/library/nginx:1.14-alpine", "k8s.gcr.io/pause:3.2"]
        ),
        (
            "items on the opening and closing lines", "export IMAGES=( \"busybox:1.29\" nginx:1.14-alpine\n  k8s.gcr.io/pause:3.2 )",
            ["docker.io/library/busybox:1.29", "docker.io/library/nginx:1.14-alpine", "k8s.gcr.io/pause:3.2"]
        ),
        (
            "brackets touching items", "IMAGES=(\"busybox:1.29\"\n\"k8s.gcr.io/pause:3.2\")",
            ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"]
        ),
        (
            "stray empty wrappers", "IMAGES=( )\nbusybox:1.29\nexport IMAGES=()\nexport OTHER_IMAGES=(\n)\n",
            ["docker.io/library/busybox:1.29"]
        ),
        (
            "list lines around an array", "busybox:1.29\nexport IMAGES=(\n  \"k8s.gcr.io/pause:3.2\"\n  )\nnginx:1.14-alpine",
            ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2", "docker.io/library/nginx:1.14-alpine"]
        ),
        (
            "comments inside an array",
            """
            export IMAGES=( # what the suite pulls
              "busybox:1.29"  # the shell
            #  "nginx:1.14-alpine"
              # "httpd:2.4.38-alpine"
              ) # end
            """,
            ["docker.io/library/busybox:1.29"]
        ),
        (
            "duplicates after normalization",
            "busybox:1.29\ndocker.io/library/busybox:1.29\nindex.docker.io/library/busybox:1.29\nk8s.gcr.io/pause:3.2\nbusybox:1.29",
            ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"]
        ),
        ("implied tag equals latest", "busybox\nbusybox:latest", ["docker.io/library/busybox:latest"]),
        (
            "digests", "busybox@\(digest)\nquay.io/a/b:1@\(digest)",
            ["docker.io/library/busybox@\(digest)", "quay.io/a/b:1@\(digest)"]
        ),
        (
            "CRLF line endings", "export IMAGES=(\r\n  \"busybox:1.29\"\r\n  )\r\nk8s.gcr.io/pause:3.2\r\n",
            ["docker.io/library/busybox:1.29", "k8s.gcr.io/pause:3.2"]
        ),
        ("byte-order mark", "\u{FEFF}busybox:1.29\n", ["docker.io/library/busybox:1.29"]),
        ("registry with a port", "localhost:5000/mirror/busybox:1.29", ["localhost:5000/mirror/busybox:1.29"]),
    ] as [(String, String, [String])])
func parses(_ label: String, _ text: String, _ expected: [String]) throws {
    let list = try ImageList.parse(text, source: "images.txt")
    #expect(list.references.map(\.description) == expected, "\(label)")
}

/// The ReferenceError that `ImageReference` throws for `text`, so the tests do not restate its rules.
private func reason(_ text: String) -> ReferenceError {
    do {
        _ = try ImageReference(text)
        Issue.record("\"\(text)\" unexpectedly parsed")
        return .empty
    } catch {
        return error
    }
}

@Test(
    arguments: [
        (
            "busybox:1.29\n# fine\nBusybox:1.29",
            ImageListError.invalidReference(
                source: "images.txt", line: 3, text: "Busybox:1.29", reason: reason("Busybox:1.29"))
        ),
        (
            "export IMAGES=(\n  \"busybox:1.29\" \"${REGISTRY}/pause:3.2\"\n)",
            .invalidReference(
                source: "images.txt", line: 2, text: "${REGISTRY}/pause:3.2", reason: reason("${REGISTRY}/pause:3.2"))
        ),
        ("IMAGES=(\n  \"\"\n)", .invalidReference(source: "images.txt", line: 2, text: "", reason: .empty)),
        ("IMAGES=(\n  FOO=bar\n)", .invalidReference(source: "images.txt", line: 2, text: "FOO=bar", reason: reason("FOO=bar"))),
        // Several words: refused as the one reference the line must hold, so the reference's own
        // error says what is wrong (a trailing comment is not part of it).
        ("busybox:1.29\r\n\r\nbusy box", .invalidReference(source: "images.txt", line: 3, text: "busy box", reason: reason("busy box"))),
        (
            "busybox:1.29\nUPPER/Case:bad tag  # typo",
            .invalidReference(
                source: "images.txt", line: 2, text: "UPPER/Case:bad tag", reason: reason("UPPER/Case:bad tag"))
        ),
        ("busybox:1.29\nkey: value", .unexpectedText(source: "images.txt", line: 2, text: "key: value")),
        ("export FOO=bar\nbusybox:1.29", .unexpectedText(source: "images.txt", line: 1, text: "export FOO=bar")),
        ("busybox:1.29\n  FOO=bar  ", .unexpectedText(source: "images.txt", line: 2, text: "FOO=bar")),
        ("export IMAGES", .unexpectedText(source: "images.txt", line: 1, text: "export IMAGES")),
        ("busybox:1.29\n)", .unexpectedText(source: "images.txt", line: 2, text: ")")),
        ("(busybox:1.29)", .unexpectedText(source: "images.txt", line: 1, text: "(busybox:1.29)")),
        (
            "IMAGES=( busybox:1.29 ) && echo done",
            .unexpectedText(
                source: "images.txt", line: 1, text: "IMAGES=( busybox:1.29 ) && echo done")
        ),
        ("IMAGES=(\n  ( busybox:1.29\n)", .unexpectedText(source: "images.txt", line: 2, text: "( busybox:1.29")),
        ("export IMAGES=(\n  \"busybox:1.29\"\n", .unterminatedArray(source: "images.txt", line: 1)),
        ("# header\nexport IMAGES=(\n  \"busybox:1.29\"\nexport IMAGES=(\n)", .unterminatedArray(source: "images.txt", line: 2)),
        ("IMAGES=(\n  \"busybox:1.29\n)", .unterminatedQuote(source: "images.txt", line: 2, text: "\"busybox:1.29")),
    ] as [(String, ImageListError)])
func refuses(_ text: String, _ error: ImageListError) {
    #expect(throws: error) { try ImageList.parse(text, source: "images.txt") }
}

@Test func invalidReferenceMessageNamesSourceLineTextAndReason() throws {
    let error = try #require(throws: ImageListError.self) {
        try ImageList.parse("busybox:1.29\n\nBusybox:1.29\n", source: "images.txt")
    }
    let rule = reason("Busybox:1.29").description
    // The reference error quotes the text itself, so it is not repeated.
    #expect(error.description == "images.txt:3: \(rule)")
    #expect(rule.contains("\"Busybox:1.29\""))
}

@Test func aLineWithASpaceSaysWhatIsWrongWithTheReference() throws {
    let error = try #require(throws: ImageListError.self) {
        try ImageList.parse("# lab images\nregistry.lab:5000/app:bad tag\n", source: "images.txt")
    }
    #expect(
        error.description == "images.txt:2: invalid image reference \"registry.lab:5000/app:bad tag\": "
            + "tag \"bad tag\" must be 1 to 128 letters, digits, '_', '.' or '-', and must not start with '.' or '-' "
            + "(a reference holds no spaces: give one per line, or several in a bash array such as "
            + "export IMAGES=( \"docker.io/library/busybox:1.29\" ))")
}

@Test(
    arguments: [
        (ImageListError.unterminatedArray(source: "<stdin>", line: 4), "<stdin>:4: the bash array opened here has no closing \")\""),
        (
            .unexpectedText(source: "a.txt", line: 2, text: "export FOO=bar"),
            "a.txt:2: unexpected \"export FOO=bar\"; expected one image reference per line"
        ),
        (
            .unterminatedQuote(source: "a.txt", line: 7, text: "\"busybox"),
            "a.txt:7: a quote is not closed on this line (an item cannot span lines): \"busybox"
        ),
        (
            .unreadableFile(path: "missing.txt", reason: "No such file or directory"),
            "cannot read image list missing.txt: No such file or directory"
        ),
    ] as [(ImageListError, String)])
func messagesStartWithTheLocation(_ error: ImageListError, _ prefix: String) {
    #expect(error.description.hasPrefix(prefix), "\(error.description)")
}
