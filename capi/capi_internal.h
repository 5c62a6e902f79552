/* Private declarations shared by the Go files of package capi and nnsimd.c.
 * Not installed: users include nnsimd.h. */
#ifndef NNSIMD_CAPI_INTERNAL_H
#define NNSIMD_CAPI_INTERNAL_H

#include "nnsimd.h"

/* nnsimd_capi_set_error stores msg[0..n) as the calling thread's last error. */
void nnsimd_capi_set_error(const char *msg, size_t n);

/* nnsimd_capi_thread_id identifies the calling OS thread. */
uint64_t nnsimd_capi_thread_id(void);

/* nnsimd_capi_call_progress calls fn(p, user); Go cannot call a C function
 * pointer itself. */
int nnsimd_capi_call_progress(nnsimd_progress_fn fn, const nnsimd_progress *p, void *user);

/* nnsimd_capi_malloc is malloc that returns NULL on failure instead of
 * aborting the way cgo's C.malloc does. */
void *nnsimd_capi_malloc(size_t n);

#endif
