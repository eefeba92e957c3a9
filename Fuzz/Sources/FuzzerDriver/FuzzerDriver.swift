import CLibFuzzer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs libFuzzer on `testOneInput` with this process's arguments, then exits with its status.
///
/// Why not libFuzzer's own `main`: SwiftPM (tools version 5.5 and later) compiles an executable's
/// entry point as `<Module>_main` and links `--defsym main=<Module>_main`, so a target built with
/// `-parse-as-library` (no entry point) fails to link with "undefined symbol FuzzReference_main"
/// (swiftlang/swift-package-manager#8731). Each target's main.swift calls this instead, and
/// libFuzzer's driver does what its `main` would.
public func runLibFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}
