// libarchive's API is plain C with no variadics; the shim gathers the headers Swift imports and
// exposes the file-type macros, whose casts Swift cannot import.
#ifndef AIRGAP_CARCHIVE_SHIM_H
#define AIRGAP_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

static inline unsigned int airgap_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int airgap_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int airgap_ae_iflnk(void) { return AE_IFLNK; }

#endif
