/*
 * vigil_types.h — the plain data types that cross Vigil's C ABI.
 *
 * Why this file exists: every other SDK header (host services, plugin
 * descriptor, function tables) speaks in these types, so they live in one
 * place with no dependencies beyond <stddef.h>/<stdint.h>. Compiles as C99
 * and as C++ (tests compile it both ways with -Wall -Wextra -pedantic).
 *
 * Versioning rule for every struct in the SDK: a struct that may grow starts
 * with `uint32_t struct_size` (= sizeof as the producer compiled it); minor ABI
 * versions only append fields at the end, so a reader checks struct_size
 * before touching a field added later.
 */
#ifndef VIGIL_TYPES_H
#define VIGIL_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version: major in the high 16 bits, minor in the low 16 bits.
 * The host refuses a plugin whose major differs from its own, or whose minor
 * is newer than the host's (it may rely on slots the host does not fill).
 * History: 1.0 — first stable ABI. */
#define VIGIL_ABI_VERSION_MAJOR 1
#define VIGIL_ABI_VERSION_MINOR 0
#define VIGIL_ABI_VERSION ((uint32_t)((VIGIL_ABI_VERSION_MAJOR << 16) | VIGIL_ABI_VERSION_MINOR))
#define VIGIL_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define VIGIL_ABI_MINOR_OF(v) ((uint32_t)(v) & 0xFFFFu)

/* Status codes returned by every fallible call. 0 means success; any other
 * value is a failure whose human-readable message the plugin has already
 * handed to the host through vigil_host::error (see vigil_host.h). */
typedef int32_t vigil_status;
enum {
    VIGIL_OK = 0,
    VIGIL_ERR_INVALID_ARGUMENT = 1, /* bad parameters, NaN/Inf input, wrong shape or dtype */
    VIGIL_ERR_STATE = 2,            /* call out of order, e.g. score before fit          */
    VIGIL_ERR_IO = 3,               /* save/load stream failed or held malformed state   */
    VIGIL_ERR_NO_DEVICE = 4,        /* the backend's device is absent or unusable        */
    VIGIL_ERR_OUT_OF_MEMORY = 5,
    VIGIL_ERR_CANCELLED = 6,        /* the host's cancel flag was seen                    */
    VIGIL_ERR_UNSUPPORTED = 7,      /* optional operation this plugin does not provide    */
    VIGIL_ERR_INTERNAL = 8          /* anything else, including a caught C++ exception   */
};

/* Element types of tensors. Only these cross the ABI in 1.x. */
typedef int32_t vigil_dtype;
enum {
    VIGIL_DTYPE_FLOAT32 = 1,
    VIGIL_DTYPE_UINT8 = 2,
    VIGIL_DTYPE_INT32 = 3,
    VIGIL_DTYPE_FLOAT64 = 4
};

/* Where a tensor's memory lives. In ABI 1.x the host always passes host
 * (CPU) memory; a cuda plugin copies to its device itself. The field exists
 * so that a later minor version can pass device pointers without a new type. */
typedef int32_t vigil_device_type;
enum {
    VIGIL_DEVICE_CPU = 1,
    VIGIL_DEVICE_CUDA = 2
};

/* Which implementation a plugin library carries. */
typedef int32_t vigil_backend;
enum {
    VIGIL_BACKEND_CPU = 1,  /* oneDNN / plain C++ on the host CPU */
    VIGIL_BACKEND_CUDA = 2  /* cuDNN / cuBLAS / CUDA kernels      */
};

/* What a plugin is. */
typedef int32_t vigil_kind;
enum {
    VIGIL_KIND_EXTRACTOR = 1, /* samples -> feature vectors          */
    VIGIL_KIND_DETECTOR = 2,  /* samples -> one anomaly score each   */
    VIGIL_KIND_EVALUATOR = 3  /* (scores, labels) -> named metrics   */
};

#define VIGIL_MAX_RANK 8

/* A borrowed, dense, C-contiguous (row-major) view of a tensor, laid out in
 * the spirit of DLPack's DLTensor without strides (1.x views are always
 * contiguous).
 *
 * Ownership: whoever allocated `data` frees it. A callee receiving a view may
 * read it (or, for an output view, write exactly shape-product elements)
 * only during the call; it must never keep the pointer after returning.
 * Dimension 0 is the sample axis: shape[0] = number of samples.
 * Images are N x C x H x W; feature tables are N x D. */
typedef struct vigil_tensor {
    void *data;                      /* first element; non-NULL unless some shape[i] == 0 */
    vigil_dtype dtype;               /* element type                                     */
    vigil_device_type device_type;   /* VIGIL_DEVICE_CPU in ABI 1.x                      */
    int32_t device_index;            /* 0 for the CPU                                    */
    int32_t rank;                    /* 1..VIGIL_MAX_RANK                                 */
    int64_t shape[VIGIL_MAX_RANK];   /* entries past `rank` are ignored                  */
} vigil_tensor;

/* A per-sample shape (the shape of one sample, without the sample axis). */
typedef struct vigil_shape {
    int32_t rank;                    /* 0..VIGIL_MAX_RANK-1; 0 = a scalar per sample     */
    int64_t dims[VIGIL_MAX_RANK];
} vigil_shape;

/* Opaque plugin object. Created by a kind's `create`, released by `destroy`. */
typedef struct vigil_object_s *vigil_handle;

/* Byte sink used by `save`. write() must be called with the bytes in order;
 * it returns VIGIL_OK or VIGIL_ERR_IO. The host owns the sink; the plugin may
 * use it only during the `save` call. Not thread-safe. */
typedef struct vigil_writer {
    uint32_t struct_size;
    void *ctx;
    vigil_status (*write)(void *ctx, const void *bytes, size_t count);
} vigil_writer;

/* Byte source used by `load`. read() fills exactly `count` bytes or returns
 * VIGIL_ERR_IO (truncated state); remaining() tells how many bytes of this
 * plugin's state are left, so a plugin can reject trailing garbage. */
typedef struct vigil_reader {
    uint32_t struct_size;
    void *ctx;
    vigil_status (*read)(void *ctx, void *bytes, size_t count);
    uint64_t (*remaining)(void *ctx);
} vigil_reader;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIGIL_TYPES_H */
