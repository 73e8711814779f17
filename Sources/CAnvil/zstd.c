#include "CAnvil.h"
#include <dlfcn.h>
#include <pthread.h>

typedef struct { const void *src; size_t size; size_t pos; } zin;
typedef struct { void *dst; size_t size; size_t pos; } zout;

static void *(*p_create)(void);
static size_t (*p_free)(void *);
static size_t (*p_init)(void *);
static size_t (*p_decompress)(void *, zout *, zin *);
static unsigned (*p_is_error)(size_t);
static const char *(*p_error_name)(size_t);
static size_t (*p_bound)(size_t);
static size_t (*p_compress)(void *, size_t, const void *, size_t, int);
static unsigned long long (*p_frame_size)(const void *, size_t);
static size_t (*p_decompress_once)(void *, size_t, const void *, size_t);
static int loaded = 0;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *lib = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libzstd.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    p_create = dlsym(lib, "ZSTD_createDStream");
    p_free = dlsym(lib, "ZSTD_freeDStream");
    p_init = dlsym(lib, "ZSTD_initDStream");
    p_decompress = dlsym(lib, "ZSTD_decompressStream");
    p_is_error = dlsym(lib, "ZSTD_isError");
    p_error_name = dlsym(lib, "ZSTD_getErrorName");
    p_bound = dlsym(lib, "ZSTD_compressBound");
    p_compress = dlsym(lib, "ZSTD_compress");
    p_frame_size = dlsym(lib, "ZSTD_getFrameContentSize");
    p_decompress_once = dlsym(lib, "ZSTD_decompress");
    loaded = p_create && p_free && p_init && p_decompress && p_is_error && p_error_name && p_bound && p_compress
        && p_frame_size && p_decompress_once;
}

int anvil_zstd_available(void) {
    pthread_once(&once, load);
    return loaded;
}

void *anvil_zstd_dstream_create(void) {
    if (!anvil_zstd_available()) return 0;
    void *s = p_create();
    if (s) p_init(s);
    return s;
}

void anvil_zstd_dstream_free(void *stream) {
    if (stream && anvil_zstd_available()) p_free(stream);
}

size_t anvil_zstd_decompress_stream(void *stream, anvil_zstd_out *out, anvil_zstd_in *in) {
    return p_decompress(stream, (zout *)out, (zin *)in);
}

unsigned anvil_zstd_is_error(size_t code) { return p_is_error(code); }
const char *anvil_zstd_error_name(size_t code) { return p_error_name(code); }
size_t anvil_zstd_compress_bound(size_t size) { return p_bound(size); }
size_t anvil_zstd_compress(void *dst, size_t capacity, const void *src, size_t size, int level) {
    return p_compress(dst, capacity, src, size, level);
}

unsigned long long anvil_zstd_frame_content_size(const void *src, size_t size) { return p_frame_size(src, size); }
size_t anvil_zstd_decompress(void *dst, size_t capacity, const void *src, size_t size) {
    return p_decompress_once(dst, capacity, src, size);
}
