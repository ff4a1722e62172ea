/*
 * vigil_plugin.h — the plugin entry symbol, descriptor and the function
 * tables of the three plugin kinds. This is the contract between the Vigil
 * host and every plugin library.
 *
 * Why this file exists: a third party writes a detector against this header
 * alone (plus vigil_types.h and vigil_host.h), compiles it into a shared
 * library that exports exactly one symbol, `vigil_plugin_entry`, and the
 * host runs it. No C++ type, exception or allocator crosses this boundary.
 *
 * Library naming: `vigil-<name>-<backend>.so` (e.g. vigil-knn-cpu.so,
 * vigil-knn-cuda.so). The host groups libraries by (kind, name) and picks one
 * variant per name at load time from the probe scores (see `probe`).
 *
 * General rules for every function pointer below:
 *  - Return VIGIL_OK (0) on success. On failure return another vigil_status
 *    after calling host->error() with a message; never throw, never abort.
 *  - One handle is used by one thread at a time (the host serialises calls
 *    on a handle); different handles may be used from different threads at
 *    once, so plugins keep no mutable global state.
 *  - Tensor views are borrowed for the duration of the call (vigil_types.h).
 */
#ifndef VIGIL_PLUGIN_H
#define VIGIL_PLUGIN_H

#include "vigil_host.h"
#include "vigil_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Detector: samples -> one anomaly score per sample.                  */
/* Score direction: HIGHER = MORE ANOMALOUS (less normal), always.     */
/* ------------------------------------------------------------------ */
typedef struct vigil_detector_iface {
    uint32_t struct_size; /* sizeof(vigil_detector_iface) as the plugin compiled it */

    /* Create an unfitted object. `params_json` is a UTF-8 JSON object that
     * the host has already validated against the descriptor's schema and
     * completed with the schema's defaults. `host` stays valid until
     * destroy(). On success stores the new handle in *out. */
    vigil_status (*create)(const char *params_json, const vigil_host *host, vigil_handle *out);

    /* Release everything the object owns. Accepts NULL. Never fails. */
    void (*destroy)(vigil_handle handle);

    /* Fit on the training set `x` (N x ..., float32, every sample assumed
     * normal). `labels` is NULL or an int32 tensor of shape [N] with class
     * ids for detectors that use classes (e.g. class-conditional
     * Mahalanobis); detectors that ignore classes ignore it. Non-finite
     * input must be rejected with VIGIL_ERR_INVALID_ARGUMENT. May be called
     * again to refit from scratch. */
    vigil_status (*fit)(vigil_handle handle, const vigil_tensor *x, const vigil_tensor *labels);

    /* Score `x` (N x ..., float32, same per-sample shape as in fit): write N
     * finite floats to `scores`, higher = more anomalous. Must be
     * deterministic: the same fitted state and the same x give bit-identical
     * scores. The host may call it several times on consecutive batches. */
    vigil_status (*score)(vigil_handle handle, const vigil_tensor *x, float *scores);

    /* Serialise the fitted state (not the parameters: the host stores those
     * and passes them to create() before load()). */
    vigil_status (*save)(vigil_handle handle, const vigil_writer *writer);

    /* Restore state written by save() into an object made by create() with
     * the same parameters. Must reject truncated or malformed state with
     * VIGIL_ERR_IO. After load, score() gives bit-identical results to the
     * object that was saved (on the same backend). */
    vigil_status (*load)(vigil_handle handle, const vigil_reader *reader);
} vigil_detector_iface;

/* ------------------------------------------------------------------ */
/* Extractor: samples -> float32 features.                             */
/* ------------------------------------------------------------------ */
typedef struct vigil_extractor_iface {
    uint32_t struct_size;

    vigil_status (*create)(const char *params_json, const vigil_host *host, vigil_handle *out);
    void (*destroy)(vigil_handle handle);

    /* Per-sample output shape for a per-sample input shape. Must depend only
     * on the parameters and `in` (it is called before fit, to validate a
     * pipeline before any work starts). Fails with INVALID_ARGUMENT when
     * the input shape is unusable. */
    vigil_status (*output_shape)(vigil_handle handle, const vigil_shape *in, vigil_shape *out);

    /* Optional (NULL for stateless extractors): learn statistics from the
     * training set `x` (uint8 or float32, N x ...); labels as for detectors. */
    vigil_status (*fit)(vigil_handle handle, const vigil_tensor *x, const vigil_tensor *labels);

    /* Transform `in` (uint8 or float32) into `out`, a float32 view the host
     * allocated with shape [N] + output_shape(in). Deterministic. */
    vigil_status (*transform)(vigil_handle handle, const vigil_tensor *in, vigil_tensor *out);

    /* Optional (both NULL for stateless extractors): as for detectors. */
    vigil_status (*save)(vigil_handle handle, const vigil_writer *writer);
    vigil_status (*load)(vigil_handle handle, const vigil_reader *reader);
} vigil_extractor_iface;

/* ------------------------------------------------------------------ */
/* Evaluator: (scores, labels) -> named scalar metrics.                */
/* ------------------------------------------------------------------ */

/* Where an evaluator writes its results: one call per metric. The host
 * copies `name` during the call. Metric names are lower_snake_case. */
typedef struct vigil_metric_sink {
    uint32_t struct_size;
    void *ctx;
    void (*put)(void *ctx, const char *name, double value);
} vigil_metric_sink;

typedef struct vigil_evaluator_iface {
    uint32_t struct_size;

    vigil_status (*create)(const char *params_json, const vigil_host *host, vigil_handle *out);
    void (*destroy)(vigil_handle handle);

    /* Evaluate `count` scores (higher = more anomalous) against labels
     * (0 = normal, 1 = anomaly/OOD; any other value is INVALID_ARGUMENT).
     * Both arrays are borrowed for the call. Writes metrics to `sink`. */
    vigil_status (*evaluate)(vigil_handle handle, const float *scores, const int32_t *labels,
                             size_t count, const vigil_metric_sink *sink);
} vigil_evaluator_iface;

/* ------------------------------------------------------------------ */
/* Descriptor and entry point.                                         */
/* ------------------------------------------------------------------ */

/* Probe: can this library run here, and how well? Returns 0 when it cannot
 * (and writes a one-line reason, e.g. "no usable CUDA device: ..." into
 * reason[0..reason_size-1], NUL-terminated), otherwise a preference score:
 * the host's `auto` choice takes the highest (cpu libraries return 100,
 * cuda libraries 200 when a device is usable). Cheap, side-effect free,
 * callable from any thread, may be called many times. */
typedef int32_t (*vigil_probe_fn)(char *reason, size_t reason_size);

typedef struct vigil_plugin_desc {
    uint32_t struct_size;   /* sizeof(vigil_plugin_desc) as the plugin compiled it */
    uint32_t abi_version;   /* VIGIL_ABI_VERSION the plugin was compiled against  */
    const char *name;       /* method name, [a-z0-9_]+, e.g. "knn"                */
    const char *version;    /* the plugin's semantic version, e.g. "1.2.0"        */
    vigil_kind kind;
    vigil_backend backend;
    const char *description;   /* one line, UTF-8                                 */
    const char *params_schema; /* JSON Schema (draft-07 subset, see docs) of the
                                * object passed to create(); "{}" when none     */
    vigil_probe_fn probe;
    /* Points to the table matching `kind`: vigil_detector_iface,
     * vigil_extractor_iface or vigil_evaluator_iface. */
    const void *iface;
} vigil_plugin_desc;
/* All strings and tables reachable from the descriptor are static: they stay
 * valid, unchanged, for as long as the library is loaded. */

/* The one symbol a plugin library exports. `host_abi_version` is the
 * VIGIL_ABI_VERSION of the calling host, so a plugin may adapt or refuse
 * (return NULL). Called once per load, from one thread. Must not throw. */
#define VIGIL_PLUGIN_ENTRY_SYMBOL "vigil_plugin_entry"
typedef const vigil_plugin_desc *(*vigil_plugin_entry_fn)(uint32_t host_abi_version);

#if defined(_WIN32)
#define VIGIL_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VIGIL_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIGIL_PLUGIN_H */
