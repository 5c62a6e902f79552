/*
 * The public C functions of libnnsimd. Go's //export cannot write const
 * parameters, so the Go side exports nnsimd_go_* functions (declared in the
 * generated _cgo_export.h) and these thin definitions give them the exact
 * signatures of nnsimd.h; the compiler checks both against each other.
 * The per-thread error message lives here too, in C thread-local storage,
 * because Go has no notion of the calling OS thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "capi_internal.h"
#include "_cgo_export.h"

static __thread char last_error[1024];

void nnsimd_capi_set_error(const char *msg, size_t n) {
    if (n >= sizeof last_error) {
        n = sizeof last_error - 1; /* the Go side has already cut at a UTF-8 boundary */
    }
    memcpy(last_error, msg, n);
    last_error[n] = '\0';
}

uint64_t nnsimd_capi_thread_id(void) { return (uint64_t)(uintptr_t)pthread_self(); }

int nnsimd_capi_call_progress(nnsimd_progress_fn fn, const nnsimd_progress *p, void *user) {
    return fn(p, user);
}

void *nnsimd_capi_malloc(size_t n) { return malloc(n ? n : 1); }

const char *nnsimd_last_error(void) { return last_error; }

void nnsimd_free(void *p) { free(p); }

const char *nnsimd_version(void) { return nnsimd_go_version(); }

const char *nnsimd_isa(void) { return nnsimd_go_isa(); }

const char *nnsimd_available_isas(void) { return nnsimd_go_available_isas(); }

int nnsimd_use_isa(const char *name) { return nnsimd_go_use_isa((char *)name); }

int nnsimd_env_status(void) { return nnsimd_go_env_status(); }

int nnsimd_set_threads(int64_t n) { return nnsimd_go_set_threads(n); }

int64_t nnsimd_threads(void) { return nnsimd_go_threads(); }

int nnsimd_dot(const float *x, const float *y, int64_t n, float *out) {
    return nnsimd_go_dot((float *)x, (float *)y, n, out);
}

int nnsimd_axpy(float alpha, const float *x, float *y, int64_t n) {
    return nnsimd_go_axpy(alpha, (float *)x, y, n);
}

int nnsimd_outer_update(float alpha, const float *x, int64_t m, const float *y, int64_t n,
                        float *a, int64_t lda) {
    return nnsimd_go_outer_update(alpha, (float *)x, m, (float *)y, n, a, lda);
}

int nnsimd_relu(const float *src, float *dst, int64_t n) {
    return nnsimd_go_relu((float *)src, dst, n);
}

int nnsimd_exp(const float *src, float *dst, int64_t n) {
    return nnsimd_go_exp((float *)src, dst, n);
}

int nnsimd_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                float *c, int64_t ldc) {
    return nnsimd_go_gemm(trans_a, trans_b, m, n, k, alpha, (float *)a, lda, (float *)b, ldb,
                          beta, c, ldc);
}

int nnsimd_net_new(const int64_t *sizes, int64_t count, const char *hidden, const char *output,
                   const char *loss, int bias, const char *init, float init_scale,
                   uint64_t seed, uint64_t *out) {
    return nnsimd_go_net_new((int64_t *)sizes, count, (char *)hidden, (char *)output,
                             (char *)loss, bias, (char *)init, init_scale, seed, out);
}

int nnsimd_net_free(uint64_t net) { return nnsimd_go_net_free(net); }

int nnsimd_net_num_layers(uint64_t net, int64_t *out) { return nnsimd_go_net_num_layers(net, out); }

int nnsimd_net_sizes(uint64_t net, int64_t *sizes, int64_t cap, int64_t *count) {
    return nnsimd_go_net_sizes(net, sizes, cap, count);
}

int nnsimd_net_config(uint64_t net, const char **hidden, const char **output, const char **loss,
                      int *bias) {
    return nnsimd_go_net_config(net, (char **)hidden, (char **)output, (char **)loss, bias);
}

int nnsimd_net_get_weights(uint64_t net, int64_t layer, float *buf, int64_t cap, int64_t *count) {
    return nnsimd_go_net_get_params(net, 0, layer, buf, cap, count);
}

int nnsimd_net_set_weights(uint64_t net, int64_t layer, const float *w, int64_t count) {
    return nnsimd_go_net_set_params(net, 0, layer, (float *)w, count);
}

int nnsimd_net_get_biases(uint64_t net, int64_t layer, float *buf, int64_t cap, int64_t *count) {
    return nnsimd_go_net_get_params(net, 1, layer, buf, cap, count);
}

int nnsimd_net_set_biases(uint64_t net, int64_t layer, const float *b, int64_t count) {
    return nnsimd_go_net_set_params(net, 1, layer, (float *)b, count);
}

int nnsimd_net_fit(uint64_t net, const float *x, const float *y, int64_t rows, int64_t epochs,
                   float lr, int64_t batch_size, float momentum, int shuffle, uint64_t seed,
                   int64_t threads, nnsimd_progress_fn progress, void *user, double *losses,
                   int64_t losses_cap, int64_t *losses_len) {
    return nnsimd_go_net_fit(net, (float *)x, (float *)y, rows, epochs, lr, batch_size, momentum,
                             shuffle, seed, threads, progress, user, losses, losses_cap,
                             losses_len);
}

int nnsimd_net_predict(uint64_t net, const float *x, int64_t rows, float *out, int64_t out_cap) {
    return nnsimd_go_net_predict(net, (float *)x, rows, out, out_cap);
}

int nnsimd_net_evaluate(uint64_t net, const float *x, int64_t rows, const uint8_t *labels,
                        double *accuracy, int64_t *confusion, int64_t confusion_cap) {
    return nnsimd_go_net_evaluate(net, (float *)x, rows, (uint8_t *)labels, accuracy, confusion,
                                  confusion_cap);
}

int nnsimd_net_save(uint64_t net, const char *path) { return nnsimd_go_net_save(net, (char *)path); }

int nnsimd_net_load(const char *path, uint64_t *out) { return nnsimd_go_net_load((char *)path, out); }

int nnsimd_mnist_load(const char *dir, const char *split, float **x, uint8_t **labels,
                      int64_t *rows, int64_t *features) {
    return nnsimd_go_mnist_load((char *)dir, (char *)split, x, labels, rows, features);
}
