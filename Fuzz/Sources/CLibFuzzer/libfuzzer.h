// libFuzzer's driver, as its FuzzerInterface.h declares it (compiler-rt, LLVM 11 and later).
// Linked from libclang_rt.fuzzer by `-sanitize=fuzzer`; nothing here is compiled.
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
