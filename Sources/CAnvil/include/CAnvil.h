// C helpers for Anvil.
//
// Minimal zstd streaming API, resolved at run time from libzstd.so.1.
// The header of libzstd (libzstd-dev) is not needed to build Anvil; when the
// library is missing at run time, anvil_zstd_available() returns 0 and the
// server does not advertise zstd.
#ifndef ANVIL_CANVIL_H
#define ANVIL_CANVIL_H
#include <stddef.h>

typedef struct { const void *src; size_t size; size_t pos; } anvil_zstd_in;
typedef struct { void *dst; size_t size; size_t pos; } anvil_zstd_out;

/// 1 when libzstd could be loaded and every symbol resolved.
int anvil_zstd_available(void);
void *anvil_zstd_dstream_create(void);
void anvil_zstd_dstream_free(void *stream);
/// Returns 0 when a frame is fully decoded, a hint > 0 when more input is wanted,
/// or an error code (check with anvil_zstd_is_error).
size_t anvil_zstd_decompress_stream(void *stream, anvil_zstd_out *out, anvil_zstd_in *in);
unsigned anvil_zstd_is_error(size_t code);
const char *anvil_zstd_error_name(size_t code);
size_t anvil_zstd_compress_bound(size_t size);
size_t anvil_zstd_compress(void *dst, size_t capacity, const void *src, size_t size, int level);
/// The decompressed size a frame declares (ZSTD_getFrameContentSize: huge values mean unknown or error).
unsigned long long anvil_zstd_frame_content_size(const void *src, size_t size);
/// One-shot decompression of a whole frame into `dst`.
size_t anvil_zstd_decompress(void *dst, size_t capacity, const void *src, size_t size);

/// glibc's memmem (only declared under _GNU_SOURCE, which Swift's Glibc module does not set).
void *anvil_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

#endif
