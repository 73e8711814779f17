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
static void *(*p_create_cctx)(void);
static size_t (*p_free_cctx)(void *);
static size_t (*p_compress_cctx)(void *, void *, size_t, const void *, size_t, int);
static pthread_key_t cctx_key;
static void *(*p_create_dctx)(void);
static size_t (*p_free_dctx)(void *);
static size_t (*p_decompress_dctx)(void *, void *, size_t, const void *, size_t);
static pthread_key_t dctx_key;
static size_t (*p_decompress_once)(void *, size_t, const void *, size_t);
static int loaded = 0;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void free_cctx(void *cctx) {
    if (cctx) p_free_cctx(cctx);
}

static void free_dctx(void *dctx) {
    if (dctx) p_free_dctx(dctx);
}

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
    p_create_cctx = dlsym(lib, "ZSTD_createCCtx");
    p_free_cctx = dlsym(lib, "ZSTD_freeCCtx");
    p_compress_cctx = dlsym(lib, "ZSTD_compressCCtx");
    p_create_dctx = dlsym(lib, "ZSTD_createDCtx");
    p_free_dctx = dlsym(lib, "ZSTD_freeDCtx");
    p_decompress_dctx = dlsym(lib, "ZSTD_decompressDCtx");
    p_decompress_once = dlsym(lib, "ZSTD_decompress");
    loaded = p_create && p_free && p_init && p_decompress && p_is_error && p_error_name && p_bound && p_compress
        && p_frame_size && p_decompress_once
        && p_create_cctx && p_free_cctx && p_compress_cctx
        && p_create_dctx && p_free_dctx && p_decompress_dctx
        && pthread_key_create(&cctx_key, free_cctx) == 0
        && pthread_key_create(&dctx_key, free_dctx) == 0;
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
/* The calling thread's context under `key`, created on first use; NULL if it cannot be made. */
static void *thread_context(pthread_key_t key, void *(*create)(void), size_t (*release)(void *)) {
    void *ctx = pthread_getspecific(key);
    if (ctx) return ctx;
    ctx = create();
    if (ctx && pthread_setspecific(key, ctx) != 0) {
        release(ctx);
        ctx = 0;
    }
    return ctx;
}

/* One compression context per thread, kept: ZSTD_compress builds and clears a fresh one per call,
   which for the ~1 KB payloads the trace store compresses cost more than the compression itself. */
size_t anvil_zstd_compress(void *dst, size_t capacity, const void *src, size_t size, int level) {
    void *cctx = thread_context(cctx_key, p_create_cctx, p_free_cctx);
    return cctx ? p_compress_cctx(cctx, dst, capacity, src, size, level) : p_compress(dst, capacity, src, size, level);
}

unsigned long long anvil_zstd_frame_content_size(const void *src, size_t size) { return p_frame_size(src, size); }
size_t anvil_zstd_decompress(void *dst, size_t capacity, const void *src, size_t size) {
    void *dctx = thread_context(dctx_key, p_create_dctx, p_free_dctx);
    return dctx ? p_decompress_dctx(dctx, dst, capacity, src, size) : p_decompress_once(dst, capacity, src, size);
}
