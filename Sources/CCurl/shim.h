// Typed wrappers for what Swift cannot call: curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt are variadic C functions. Nothing else belongs here.
#ifndef AIRGAP_CCURL_SHIM_H
#define AIRGAP_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode airgap_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode airgap_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode airgap_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode airgap_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode airgap_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*airgap_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*airgap_seek_callback)(void *userdata, curl_off_t offset, int origin);

static inline CURLcode airgap_easy_setopt_data_callback(CURL *handle, CURLoption option, airgap_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode airgap_easy_setopt_seek_callback(CURL *handle, airgap_seek_callback value) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, value);
}

static inline CURLcode airgap_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode airgap_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode airgap_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode airgap_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

#endif
