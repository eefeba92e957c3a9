// libarchive's API is plain C with no variadics; the shim gathers the headers Swift imports and
// exposes the file-type macros, whose casts Swift cannot import.
#ifndef AIRGAP_CARCHIVE_SHIM_H
#define AIRGAP_CARCHIVE_SHIM_H

#include <sys/types.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

static inline unsigned int airgap_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int airgap_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int airgap_ae_iflnk(void) { return AE_IFLNK; }

// copy_file_range(2), glibc 2.27+, as <unistd.h> declares it under _GNU_SOURCE. Declared here
// instead of defining _GNU_SOURCE, which would change the glibc types this module defines: under
// it, fd_set's member is `fds_bits`, elsewhere (Dispatch's CDispatch) `__fds_bits`, and clang then
// refuses every file that sees both definitions ("'__fds_bits' from module 'CDispatch' is not
// present in definition of 'fd_set' in module 'CArchive'"; it broke every clean
// `swift build --sanitize=…`).
extern ssize_t copy_file_range(int infd, off_t *pinoff, int outfd, off_t *poutoff, size_t length, unsigned int flags);

// The kernel-side copy that puts cached blobs into an archive and verified archive bodies into the
// cache without passing the bytes through the process.
static inline ssize_t airgap_copy_file_range(int in, off_t *in_offset, int out, off_t *out_offset, size_t length) {
    return copy_file_range(in, in_offset, out, out_offset, length, 0);
}

#endif
