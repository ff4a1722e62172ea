/*
 * vigil_host.h — the services the host hands to every plugin object.
 *
 * Why this file exists: plugins must log, report progress, notice
 * cancellation, seed their randomness, size their thread pools and report
 * errors without linking against the host. The host passes one of these
 * tables to `create`; it stays valid until that object's `destroy` returns.
 */
#ifndef VIGIL_HOST_H
#define VIGIL_HOST_H

#include "vigil_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t vigil_log_level;
enum {
    VIGIL_LOG_DEBUG = 0,
    VIGIL_LOG_INFO = 1,
    VIGIL_LOG_WARN = 2,
    VIGIL_LOG_ERROR = 3
};

/* Host services. Owned by the host; plugins read it and call its functions.
 *
 * Threading: the functions may be called from the thread that is currently
 * inside a call on the object, and from worker threads that call spawned
 * during that call (the host serialises them). They must not be called after
 * the plugin call that triggered them returned, nor after `destroy`. */
typedef struct vigil_host {
    uint32_t struct_size;   /* sizeof(vigil_host) as the host compiled it */
    void *ctx;              /* host's private pointer: pass it back unchanged */

    /* Write one line (no trailing newline needed) to the host's log. */
    void (*log)(void *ctx, vigil_log_level level, const char *message);

    /* Report progress of long work: `done` out of `total` units of the
     * current step called `label` (e.g. "distances"). Cheap; the host
     * throttles its display. total = 0 means "unknown". */
    void (*progress)(void *ctx, uint64_t done, uint64_t total, const char *label);

    /* Returns non-zero when the user asked to stop. A plugin polls this
     * between blocks of work and, when set, returns VIGIL_ERR_CANCELLED. */
    int32_t (*cancelled)(void *ctx);

    /* Set the message of the failure the plugin is about to return. The host
     * copies the UTF-8 text into its own memory during the call, so a plugin
     * may pass a stack buffer. Call it once before returning a non-zero
     * vigil_status; the last call before the return wins. */
    void (*error)(void *ctx, const char *message);

    /* Seed for every random choice the object makes (initialisation,
     * shuffling, sub-sampling). Same seed + same data = same result on the
     * same backend. */
    uint64_t seed;

    /* Maximum number of threads the object may run at once (>= 1). */
    uint32_t threads;
} vigil_host;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIGIL_HOST_H */
