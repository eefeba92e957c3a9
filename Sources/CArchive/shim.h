// libarchive's API is plain C with no variadics; the shim gathers the headers Swift imports and
// exposes the file-type macros, whose casts Swift cannot import.
#ifndef AIRGAP_CARCHIVE_SHIM_H
#define AIRGAP_CARCHIVE_SHIM_H

// copy_file_range(2) is declared only with _GNU_SOURCE, which Swift's Glibc module does not set.
#define _GNU_SOURCE
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

static inline unsigned int airgap_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int airgap_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int airgap_ae_iflnk(void) { return AE_IFLNK; }

// The kernel-side copy that puts cached blobs into an archive and verified archive bodies into the
// cache without passing the bytes through the process.
static inline ssize_t airgap_copy_file_range(int in, off_t *in_offset, int out, off_t *out_offset, size_t length) {
    return copy_file_range(in, in_offset, out, out_offset, length, 0);
}

#endif
