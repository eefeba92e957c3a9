import FuzzerDriver

// libFuzzer's loop, run on `fuzz` (see FuzzerDriver for why not libFuzzer's own `main`).
runLibFuzzer { data, size in
    guard let data else { return withUnsafePointer(to: 0) { fuzz($0, 0) } }
    return fuzz(data, size)
}
