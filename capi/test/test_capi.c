/*
 * test_capi: exercises every function of libnnsimd, its error paths (the
 * hostile-caller list of issue 6) and a small training run. Built and run by
 * `make test-c`; NNSIMD_TEST_QUICK=1 (the valgrind run) shrinks the sweeps.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nnsimd.h"

static int passed, failed, quick;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (cond) {                                                   \
            passed++;                                                 \
        } else {                                                      \
            failed++;                                                 \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
            fprintf(stderr, __VA_ARGS__);                             \
            fprintf(stderr, "\n");                                    \
        }                                                             \
    } while (0)

/* EXPECT checks a call's status; a failure must leave a message. */
#define EXPECT(call, want)                                                                   \
    do {                                                                                     \
        int st_ = (call);                                                                    \
        CHECK(st_ == (want), "%s = %d, want %d (last error: %s)", #call, st_, (want),        \
              nnsimd_last_error());                                                          \
        if ((want) != NNSIMD_OK && st_ == (want)) {                                          \
            CHECK(nnsimd_last_error()[0] != '\0', "%s failed without a message", #call);     \
        }                                                                                    \
    } while (0)

static uint64_t rng_state = 88172645463325252ull;

static float frand(void) { /* uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static void fill(float *v, int64_t n) {
    for (int64_t i = 0; i < n; i++) v[i] = frand();
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- info */

static void test_info(void) {
    const char *v = nnsimd_version(), *isa = nnsimd_isa(), *avail = nnsimd_available_isas();
    CHECK(v && v[0], "version is empty");
    CHECK(isa && strstr(avail, isa), "isa %s not in available %s", isa, avail);
    CHECK(strstr(avail, "generic") != NULL, "available %s lacks generic", avail);
    EXPECT(nnsimd_env_status(), NNSIMD_OK);

    char best[32] = {0};
    snprintf(best, sizeof best, "%s", isa);
    char list[256];
    snprintf(list, sizeof list, "%s", avail);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        EXPECT(nnsimd_use_isa(tok), NNSIMD_OK);
        CHECK(strcmp(nnsimd_isa(), tok) == 0, "after use_isa(%s), isa = %s", tok, nnsimd_isa());
        float x[3] = {1, 2, 3}, y[3] = {4, 5, 6}, d = 0;
        EXPECT(nnsimd_dot(x, y, 3, &d), NNSIMD_OK);
        CHECK(d == 32, "dot on %s = %g, want 32", tok, d);
    }
    EXPECT(nnsimd_use_isa(NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_use_isa("bogus"), NNSIMD_EINVAL);
    EXPECT(nnsimd_use_isa(""), NNSIMD_EINVAL);
    /* An ISA of the other architecture (or one this CPU lacks). */
    const char *foreign = strstr(avail, "avx2") ? "neon" : "avx2";
    EXPECT(nnsimd_use_isa(foreign), NNSIMD_EUNSUPPORTED);
    if (!strstr(avail, "avx512") && !strstr(avail, "neon")) {
        EXPECT(nnsimd_use_isa("avx512"), NNSIMD_EUNSUPPORTED);
    }
    EXPECT(nnsimd_use_isa(best), NNSIMD_OK);
    CHECK(strcmp(nnsimd_isa(), best) == 0, "isa not restored to %s", best);
}

/* ------------------------------------------------------------- kernels */

static int close_to(double got, double want, double scale) {
    return fabs(got - want) <= 1e-5 * (scale + 1.0);
}

static void test_kernels(void) {
    int maxn = quick ? 40 : 300;
    float *x = malloc(sizeof(float) * 512), *y = malloc(sizeof(float) * 512);
    float *y0 = malloc(sizeof(float) * 512);
    for (int n = 0; n <= maxn; n++) {
        fill(x, n);
        fill(y, n);
        double ref = 0, mag = 0;
        for (int i = 0; i < n; i++) {
            ref += (double)x[i] * y[i];
            mag += fabs((double)x[i] * y[i]);
        }
        float d = -1;
        EXPECT(nnsimd_dot(x, y, n, &d), NNSIMD_OK);
        CHECK(close_to(d, ref, mag), "dot n=%d = %g, want %g", n, d, ref);

        memcpy(y0, y, sizeof(float) * (n + 1));
        y[n] = 12345; /* guard */
        EXPECT(nnsimd_axpy(0.5f, x, y, n), NNSIMD_OK);
        int ok = y[n] == 12345;
        for (int i = 0; i < n; i++) ok &= close_to(y[i], y0[i] + 0.5 * x[i], 2);
        CHECK(ok, "axpy n=%d wrong or wrote past the end", n);

        y[n] = 12345;
        EXPECT(nnsimd_relu(x, y, n), NNSIMD_OK);
        ok = y[n] == 12345;
        for (int i = 0; i < n; i++) ok &= y[i] == (x[i] > 0 ? x[i] : 0);
        CHECK(ok, "relu n=%d wrong or wrote past the end", n);

        /* e^x within 2 ulp: 2.4e-7 relative, and a little for the double
         * reference's own rounding to float */
        for (int i = 0; i < n; i++) x[i] *= 20;
        y[n] = 12345;
        EXPECT(nnsimd_exp(x, y, n), NNSIMD_OK);
        ok = y[n] == 12345;
        for (int i = 0; i < n; i++) ok &= fabs(y[i] - exp((double)x[i])) <= 3e-7 * exp((double)x[i]);
        CHECK(ok, "exp n=%d wrong or wrote past the end", n);
    }
    /* relu in place, and NaN gives 0 */
    float r[4] = {-1, 2, NAN, -0.0f};
    EXPECT(nnsimd_relu(r, r, 4), NNSIMD_OK);
    CHECK(r[0] == 0 && r[1] == 2 && r[2] == 0 && r[3] == 0, "relu in place: %g %g %g %g", r[0], r[1], r[2], r[3]);
    /* exp in place, and its edges: below FLT_MIN 0, overflow +inf, NaN stays */
    float e[6] = {0, -100, 100, NAN, -INFINITY, 1};
    EXPECT(nnsimd_exp(e, e, 6), NNSIMD_OK);
    CHECK(e[0] == 1 && e[1] == 0 && isinf(e[2]) && e[2] > 0 && isnan(e[3]) && e[4] == 0 && fabs(e[5] - 2.7182817f) <= 3e-7f,
          "exp in place: %g %g %g %g %g %g", e[0], e[1], e[2], e[3], e[4], e[5]);

    /* outer_update with lda > n and a guard column */
    enum { M = 7, N = 5, LDA = 6 };
    float a[M * LDA], a0[M * LDA];
    fill(x, M);
    fill(y, N);
    fill(a, M * LDA);
    memcpy(a0, a, sizeof a);
    EXPECT(nnsimd_outer_update(-0.25f, x, M, y, N, a, LDA), NNSIMD_OK);
    int ok = 1;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < LDA; j++) {
            double want = j < N ? a0[i * LDA + j] - 0.25 * x[i] * y[j] : a0[i * LDA + j];
            ok &= close_to(a[i * LDA + j], want, 2);
        }
    CHECK(ok, "outer_update wrong or touched the padding");

    /* gemm, all four orientations, against a double reference */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            enum { GM = 9, GN = 11, GK = 13, LD = 16 };
            float A[LD * LD], B[LD * LD], Cm[GM * LD], C0[GM * LD];
            fill(A, LD * LD);
            fill(B, LD * LD);
            fill(Cm, GM * LD);
            memcpy(C0, Cm, sizeof Cm);
            EXPECT(nnsimd_gemm(ta, tb, GM, GN, GK, 1.5f, A, LD, B, LD, 0.5f, Cm, LD), NNSIMD_OK);
            ok = 1;
            for (int i = 0; i < GM; i++)
                for (int j = 0; j < GN; j++) {
                    double s = 0;
                    for (int p = 0; p < GK; p++) {
                        double av = ta ? A[p * LD + i] : A[i * LD + p];
                        double bv = tb ? B[j * LD + p] : B[p * LD + j];
                        s += av * bv;
                    }
                    ok &= close_to(Cm[i * LD + j], 1.5 * s + 0.5 * C0[i * LD + j], 20);
                }
            for (int i = 0; i < GM; i++)
                for (int j = GN; j < LD; j++) ok &= Cm[i * LD + j] == C0[i * LD + j];
            CHECK(ok, "gemm transA=%d transB=%d wrong", ta, tb);
        }
    free(x);
    free(y);
    free(y0);
}

/* The thread count: refused out of range, and results the same on one
 * thread as on three for a gemm large enough to be shared out. */
static void test_thread_count(void) {
    int64_t cpus = nnsimd_threads();
    CHECK(cpus >= 1, "nnsimd_threads() = %lld at start", (long long)cpus);
    EXPECT(nnsimd_set_threads(-1), NNSIMD_EINVAL);
    CHECK(strstr(nnsimd_last_error(), "nnsimd_set_threads: n = -1") != NULL, "message %s", nnsimd_last_error());
    EXPECT(nnsimd_set_threads(65537), NNSIMD_EINVAL);
    CHECK(nnsimd_threads() == cpus, "a refused count changed it to %lld", (long long)nnsimd_threads());
    enum { D = 160 };
    float *a = malloc(sizeof(float) * D * D), *b = malloc(sizeof(float) * D * D);
    float *c1 = calloc(D * D, sizeof(float)), *c3 = calloc(D * D, sizeof(float));
    fill(a, D * D);
    fill(b, D * D);
    EXPECT(nnsimd_set_threads(1), NNSIMD_OK);
    CHECK(nnsimd_threads() == 1, "nnsimd_threads() = %lld after setting 1", (long long)nnsimd_threads());
    EXPECT(nnsimd_gemm(0, 0, D, D, D, 1, a, D, b, D, 0, c1, D), NNSIMD_OK);
    EXPECT(nnsimd_set_threads(3), NNSIMD_OK);
    EXPECT(nnsimd_gemm(0, 0, D, D, D, 1, a, D, b, D, 0, c3, D), NNSIMD_OK);
    CHECK(memcmp(c1, c3, sizeof(float) * D * D) == 0, "gemm differs between 1 and 3 threads");
    EXPECT(nnsimd_set_threads(0), NNSIMD_OK);
    CHECK(nnsimd_threads() == cpus, "nnsimd_threads() = %lld after setting 0, want %lld", (long long)nnsimd_threads(),
          (long long)cpus);
    free(a);
    free(b);
    free(c1);
    free(c3);
}

static void test_kernel_errors(void) {
    float v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[8] = {0}, d = 0;
    const int64_t huge[] = {INT64_MAX, INT64_MAX / 4 + 1, NNSIMD_MAX_LEN + 1, -1, INT64_MIN};
    /* NULL for every pointer argument */
    EXPECT(nnsimd_dot(NULL, v, 8, &d), NNSIMD_EINVAL);
    EXPECT(nnsimd_dot(v, NULL, 8, &d), NNSIMD_EINVAL);
    EXPECT(nnsimd_dot(v, v, 8, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_axpy(1, NULL, w, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_axpy(1, v, NULL, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_relu(NULL, w, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_relu(v, NULL, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_exp(NULL, w, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_exp(v, NULL, 8), NNSIMD_EINVAL);
    /* arrays that overlap without being the same: refused, untouched */
    float ov[16];
    for (int i = 0; i < 16; i++) ov[i] = (float)i;
    EXPECT(nnsimd_exp(ov, ov + 1, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_relu(ov + 1, ov, 8), NNSIMD_EINVAL);
    EXPECT(nnsimd_axpy(1, ov, ov + 7, 8), NNSIMD_EINVAL);
    int untouched = 1;
    for (int i = 0; i < 16; i++) untouched &= ov[i] == (float)i;
    CHECK(untouched, "an overlapping call changed its arrays");
    EXPECT(nnsimd_exp(ov, ov + 8, 8), NNSIMD_OK); /* adjacent, apart */
    CHECK(ov[8] == 1 && fabs(ov[15] - exp(7.0)) <= 3e-7 * exp(7.0), "exp into the adjacent half: %g %g", ov[8], ov[15]);
    EXPECT(nnsimd_outer_update(1, NULL, 2, v, 2, w, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_outer_update(1, v, 2, NULL, 2, w, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_outer_update(1, v, 2, v, 2, NULL, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_gemm(0, 0, 2, 2, 2, 1, NULL, 2, v, 2, 0, w, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_gemm(0, 0, 2, 2, 2, 1, v, 2, NULL, 2, 0, w, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_gemm(0, 0, 2, 2, 2, 1, v, 2, v, 2, 0, NULL, 2), NNSIMD_EINVAL);
    /* n = 0: NULL data is fine, nothing is read */
    d = 7;
    EXPECT(nnsimd_dot(NULL, NULL, 0, &d), NNSIMD_OK);
    CHECK(d == 0, "dot of n=0 = %g, want 0", d);
    EXPECT(nnsimd_axpy(1, NULL, NULL, 0), NNSIMD_OK);
    EXPECT(nnsimd_relu(NULL, NULL, 0), NNSIMD_OK);
    EXPECT(nnsimd_exp(NULL, NULL, 0), NNSIMD_OK);
    EXPECT(nnsimd_outer_update(1, NULL, 0, NULL, 0, NULL, 0), NNSIMD_OK);
    EXPECT(nnsimd_gemm(0, 0, 0, 0, 0, 1, NULL, 0, NULL, 0, 0, NULL, 0), NNSIMD_OK);
    /* k = 0 scales C by beta without reading A or B */
    float c2[4] = {1, 2, 3, 4};
    EXPECT(nnsimd_gemm(0, 0, 2, 2, 0, 1, NULL, 0, NULL, 2, 2, c2, 2), NNSIMD_OK);
    CHECK(c2[0] == 2 && c2[3] == 8, "gemm k=0 did not scale C by beta: %g %g", c2[0], c2[3]);
    /* negative and overflowing lengths are rejected before memory is touched */
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        int64_t n = huge[i];
        EXPECT(nnsimd_dot(v, v, n, &d), NNSIMD_EINVAL);
        EXPECT(nnsimd_axpy(1, v, w, n), NNSIMD_EINVAL);
        EXPECT(nnsimd_relu(v, w, n), NNSIMD_EINVAL);
        EXPECT(nnsimd_exp(v, w, n), NNSIMD_EINVAL);
        EXPECT(nnsimd_outer_update(1, v, n, v, 2, w, 2), NNSIMD_EINVAL);
        EXPECT(nnsimd_outer_update(1, v, 2, v, n, w, n), NNSIMD_EINVAL);
        EXPECT(nnsimd_gemm(0, 0, n, 2, 2, 1, v, 2, v, 2, 0, w, 2), NNSIMD_EINVAL);
        EXPECT(nnsimd_gemm(0, 0, 2, 2, n, 1, v, n, v, 2, 0, w, 2), NNSIMD_EINVAL);
    }
    /* (m−1)·lda + n overflows although each factor is in range */
    EXPECT(nnsimd_outer_update(1, v, NNSIMD_MAX_LEN, v, 2, w, NNSIMD_MAX_LEN), NNSIMD_EINVAL);
    /* lda < n */
    EXPECT(nnsimd_outer_update(1, v, 2, v, 3, w, 2), NNSIMD_EINVAL);
    CHECK(strstr(nnsimd_last_error(), "leading dimension") != NULL, "lda message: %s", nnsimd_last_error());
    EXPECT(nnsimd_gemm(0, 0, 2, 2, 3, 1, v, 2, v, 2, 0, w, 2), NNSIMD_EINVAL); /* lda 2 < k 3 */
    EXPECT(nnsimd_gemm(0, 1, 2, 3, 2, 1, v, 2, v, 1, 0, w, 3), NNSIMD_EINVAL); /* ldb 1 < k 2 */
    EXPECT(nnsimd_gemm(0, 0, 2, 3, 2, 1, v, 2, v, 3, 0, w, 2), NNSIMD_EINVAL); /* ldc 2 < n 3 */
    EXPECT(nnsimd_gemm(1, 0, 2, 2, 2, 1, v, 1, v, 2, 0, w, 2), NNSIMD_EINVAL); /* Aᵀ: lda 1 < m 2 */
    /* the message names the argument */
    nnsimd_dot(v, v, -3, &d);
    CHECK(strstr(nnsimd_last_error(), "n = -3") != NULL, "negative n message: %s", nnsimd_last_error());
}

/* ------------------------------------------------------------ networks */

static uint64_t new_net(const int64_t *sizes, int64_t count, const char *hidden, const char *output,
                        const char *loss, int bias) {
    uint64_t h = 0;
    EXPECT(nnsimd_net_new(sizes, count, hidden, output, loss, bias, "uniform", 0.5f, 7, &h), NNSIMD_OK);
    CHECK(h != 0, "net_new gave handle 0");
    return h;
}

static void test_net_basics(void) {
    const int64_t sizes[] = {3, 4, 2};
    uint64_t h = 0, h2 = 0;
    /* argument errors */
    EXPECT(nnsimd_net_new(NULL, 3, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 0, NULL, 0, 1, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 1, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, -5, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, INT64_MAX, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    const int64_t zero[] = {3, 0, 2}, neg[] = {3, -4, 2}, big[] = {INT64_MAX, 2};
    EXPECT(nnsimd_net_new(zero, 3, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(neg, 3, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(big, 2, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    const int64_t wide[] = {1 << 24, 1 << 24}; /* 2^48 weights: more than any machine's memory */
    EXPECT(nnsimd_net_new(wide, 2, NULL, NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_ENOMEM);
    EXPECT(nnsimd_net_new(sizes, 3, "bogus", NULL, NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    CHECK(strstr(nnsimd_last_error(), "bogus") != NULL, "unknown activation message: %s", nnsimd_last_error());
    EXPECT(nnsimd_net_new(sizes, 3, NULL, "relu6", NULL, 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, NULL, "hinge", 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 0, "ones", 0, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 0, NULL, NAN, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 0, NULL, -1, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 0, NULL, INFINITY, 1, &h), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_new(sizes, 3, NULL, "identity", "cross_entropy", 0, NULL, 0, 1, &h), NNSIMD_EINVAL);
    CHECK(h == 0, "a failed net_new wrote the handle");

    h = new_net(sizes, 3, "relu", "identity", "mse", 1);
    int64_t layers = 0, count = 0, got[3] = {0};
    EXPECT(nnsimd_net_num_layers(h, &layers), NNSIMD_OK);
    CHECK(layers == 2, "num_layers = %lld", (long long)layers);
    EXPECT(nnsimd_net_num_layers(h, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_sizes(h, NULL, 0, &count), NNSIMD_OK);
    CHECK(count == 3, "sizes count = %lld", (long long)count);
    EXPECT(nnsimd_net_sizes(h, got, 3, &count), NNSIMD_OK);
    CHECK(got[0] == 3 && got[1] == 4 && got[2] == 2, "sizes = %lld %lld %lld", (long long)got[0], (long long)got[1], (long long)got[2]);
    EXPECT(nnsimd_net_sizes(h, got, 2, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_sizes(h, NULL, 3, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_sizes(h, got, 3, NULL), NNSIMD_EINVAL);
    const char *hid = NULL, *out = NULL, *loss = NULL;
    int bias = -1;
    EXPECT(nnsimd_net_config(h, &hid, &out, &loss, &bias), NNSIMD_OK);
    CHECK(hid && out && loss && strcmp(hid, "relu") == 0 && strcmp(out, "identity") == 0 && strcmp(loss, "mse") == 0 && bias == 1,
          "config = %s %s %s %d", hid, out, loss, bias);
    EXPECT(nnsimd_net_config(h, NULL, NULL, NULL, NULL), NNSIMD_OK);

    /* weights: query, copy, set, round trip */
    float w[12], w2[12], b[4];
    EXPECT(nnsimd_net_get_weights(h, 0, NULL, 0, &count), NNSIMD_OK);
    CHECK(count == 12, "layer 0 has %lld weights, want 12", (long long)count);
    EXPECT(nnsimd_net_get_weights(h, 0, w, 12, &count), NNSIMD_OK);
    int nonzero = 0;
    for (int i = 0; i < 12; i++) nonzero += w[i] != 0 && fabsf(w[i]) <= 0.5f;
    CHECK(nonzero == 12, "initial weights not in ±init_scale");
    for (int i = 0; i < 12; i++) w[i] = (float)i / 8;
    EXPECT(nnsimd_net_set_weights(h, 0, w, 12), NNSIMD_OK);
    EXPECT(nnsimd_net_get_weights(h, 0, w2, 12, &count), NNSIMD_OK);
    CHECK(memcmp(w, w2, sizeof w) == 0, "weights round trip differs");
    EXPECT(nnsimd_net_get_weights(h, 0, w, 11, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, 0, NULL, 12, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, 0, w, 12, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, 2, w, 12, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, -1, w, 12, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, 0, w, -1, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_set_weights(h, 0, w, 11), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_set_weights(h, 0, NULL, 12), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_set_weights(h, 5, w, 12), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_set_weights(h, 0, w, INT64_MAX), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_biases(h, 1, b, 4, &count), NNSIMD_OK);
    CHECK(count == 2 && b[0] == 0 && b[1] == 0, "biases of layer 1: count %lld, %g %g", (long long)count, b[0], b[1]);
    b[0] = 1.5f, b[1] = -2;
    EXPECT(nnsimd_net_set_biases(h, 1, b, 2), NNSIMD_OK);
    b[0] = b[1] = 0;
    EXPECT(nnsimd_net_get_biases(h, 1, b, 2, &count), NNSIMD_OK);
    CHECK(b[0] == 1.5f && b[1] == -2, "biases round trip: %g %g", b[0], b[1]);
    EXPECT(nnsimd_net_set_biases(h, 1, b, 3), NNSIMD_EINVAL);

    /* predict: a hand-computable network (identity everywhere) */
    const int64_t lin[] = {2, 1};
    h2 = 0;
    EXPECT(nnsimd_net_new(lin, 2, "identity", "identity", "mse", 0, NULL, 0, 1, &h2), NNSIMD_OK);
    float lw[2] = {2, -1}, px[4] = {1, 1, 3, 2}, py[3] = {0, 0, 99};
    EXPECT(nnsimd_net_set_weights(h2, 0, lw, 2), NNSIMD_OK);
    EXPECT(nnsimd_net_get_biases(h2, 0, NULL, 0, &count), NNSIMD_OK);
    CHECK(count == 0, "a network without bias reports %lld biases", (long long)count);
    EXPECT(nnsimd_net_set_biases(h2, 0, lw, 1), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_predict(h2, px, 2, py, 2), NNSIMD_OK);
    CHECK(py[0] == 1 && py[1] == 4 && py[2] == 99, "predict = %g %g (guard %g), want 1 4", py[0], py[1], py[2]);
    EXPECT(nnsimd_net_predict(h2, px, 2, py, 1), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_predict(h2, NULL, 2, py, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_predict(h2, px, 2, NULL, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_predict(h2, px, -1, py, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_predict(h2, px, INT64_MAX, py, INT64_MAX), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_predict(h2, NULL, 0, NULL, 0), NNSIMD_OK);
    {
        /* a NaN or Inf input is a named error, not finite-looking outputs */
        float bad[sizeof px / sizeof px[0]];
        memcpy(bad, px, sizeof bad);
        bad[1] = NAN;
        EXPECT(nnsimd_net_predict(h2, bad, 2, py, 2), NNSIMD_EINVAL);
        CHECK(strstr(nnsimd_last_error(), "x[0][1] = NaN") != NULL, "NaN message: %s", nnsimd_last_error());
        bad[1] = INFINITY;
        EXPECT(nnsimd_net_predict(h2, bad, 2, py, 2), NNSIMD_EINVAL);
    }

    /* evaluate: outputs 2 classes */
    const int64_t cls[] = {2, 2};
    uint64_t hc = 0;
    EXPECT(nnsimd_net_new(cls, 2, NULL, "identity", NULL, 0, NULL, 0, 1, &hc), NNSIMD_OK);
    float eye[4] = {1, 0, 0, 1}, ex[6] = {1, 0, 0, 1, 5, -1};
    uint8_t labels[3] = {0, 1, 1}, badl[3] = {0, 1, 2};
    double acc = -1;
    int64_t conf[4] = {0};
    EXPECT(nnsimd_net_set_weights(hc, 0, eye, 4), NNSIMD_OK);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, labels, &acc, conf, 4), NNSIMD_OK);
    CHECK(fabs(acc - 2.0 / 3) < 1e-12, "accuracy = %g, want 2/3", acc);
    CHECK(conf[0] == 1 && conf[1] == 0 && conf[2] == 1 && conf[3] == 1, "confusion = %lld %lld %lld %lld",
          (long long)conf[0], (long long)conf[1], (long long)conf[2], (long long)conf[3]);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, labels, &acc, NULL, 0), NNSIMD_OK);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, badl, &acc, NULL, 0), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, labels, NULL, NULL, 0), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, NULL, &acc, NULL, 0), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, labels, &acc, conf, 3), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_evaluate(hc, ex, 3, labels, &acc, NULL, 4), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_evaluate(hc, NULL, 3, labels, &acc, NULL, 0), NNSIMD_EINVAL);
    {
        float bad[6] = {1, 0, 0, 1, 5, NAN};
        EXPECT(nnsimd_net_evaluate(hc, bad, 3, labels, &acc, NULL, 0), NNSIMD_EINVAL);
        CHECK(strstr(nnsimd_last_error(), "x[2][1] = NaN") != NULL, "evaluate NaN message: %s", nnsimd_last_error());
    }

    /* handles: freed, never issued, double free, 0 */
    EXPECT(nnsimd_net_free(h), NNSIMD_OK);
    EXPECT(nnsimd_net_free(h), NNSIMD_EINVAL);
    CHECK(strstr(nnsimd_last_error(), "freed") != NULL, "double free message: %s", nnsimd_last_error());
    EXPECT(nnsimd_net_predict(h, px, 1, py, 2), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, 0, w, 12, &count), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_num_layers(h, &layers), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_free(0), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_free(UINT64_MAX), NNSIMD_EINVAL);
    CHECK(strstr(nnsimd_last_error(), "never issued") != NULL, "unknown handle message: %s", nnsimd_last_error());
    EXPECT(nnsimd_net_num_layers(123456789, &layers), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_free(h2), NNSIMD_OK);
    EXPECT(nnsimd_net_free(hc), NNSIMD_OK);
}

/* ------------------------------------------------------------ training */

/* A small regression task: y = 0.5·x0 − 0.3·x1 + 0.2·x0·x1. */
enum { ROWS = 256 };
static float tx[ROWS * 2], ty[ROWS];

static void make_task(void) {
    fill(tx, ROWS * 2);
    for (int r = 0; r < ROWS; r++) {
        float a = tx[2 * r], b = tx[2 * r + 1];
        ty[r] = 0.5f * a - 0.3f * b + 0.2f * a * b;
    }
}

struct cb_state {
    int calls, cancel_at;
    uint64_t net;
    int inner_predict, inner_dot, inner_use_isa, inner_set_threads;
    int64_t threads_in_fit;
    double first, last;
    int64_t last_done, last_epoch, total, epochs;
};

static int progress_cb(const nnsimd_progress *p, void *user) {
    struct cb_state *s = user;
    double t = now_seconds();
    if (s->calls == 0) s->first = t;
    s->last = t;
    s->calls++;
    s->last_done = p->done;
    s->last_epoch = p->epoch;
    s->total = p->total;
    s->epochs = p->epochs;
    if (s->net) {
        float out[1];
        s->inner_predict = nnsimd_net_predict(s->net, tx, 1, out, 1);
        float d;
        s->inner_dot = nnsimd_dot(tx, tx, 4, &d);
        s->inner_use_isa = nnsimd_use_isa("generic");
        s->inner_set_threads = nnsimd_set_threads(3);
        s->threads_in_fit = nnsimd_threads();
    }
    return s->cancel_at > 0 && s->calls >= s->cancel_at;
}

static void test_training(void) {
    make_task();
    const int64_t sizes[] = {2, 16, 1};
    uint64_t h = new_net(sizes, 3, "tanh", "identity", "mse", 1);
    int64_t epochs = quick ? 20 : 200, got = -1;
    double losses[200];
    struct cb_state st = {0};
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, epochs, 0.02f, 1, 0, 1, 3, 1, progress_cb, &st, losses, 200, &got), NNSIMD_OK);
    CHECK(got == epochs, "losses_len = %lld, want %lld", (long long)got, (long long)epochs);
    CHECK(losses[epochs - 1] < 0.2 * losses[0], "loss did not fall: %g -> %g", losses[0], losses[epochs - 1]);
    CHECK(st.calls >= 1, "progress callback never called");
    CHECK(st.last_epoch == epochs && st.last_done == ROWS && st.total == ROWS && st.epochs == epochs,
          "final progress: epoch %lld done %lld total %lld", (long long)st.last_epoch, (long long)st.last_done, (long long)st.total);
    /* at most five calls a second (plus the first and the final one) */
    double span = st.last - st.first;
    CHECK(st.calls <= 2 + (int)(span * 5 + 0.5), "%d callbacks in %.3f s", st.calls, span);
    fprintf(stderr, "  training: loss %.4g -> %.4g over %lld epochs, %d callbacks\n", losses[0], losses[epochs - 1], (long long)epochs, st.calls);

    /* mini-batch with momentum, and no callback or losses */
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 3, 0.01f, 32, 0.9f, 0, 0, 0, NULL, NULL, NULL, 0, NULL), NNSIMD_OK);

    /* a batch larger than the data set is the data set: the same weights as
     * batch_size = ROWS */
    {
        const int64_t batches[] = {ROWS, ROWS + 1, INT64_MAX};
        float w[3][2 * 16];
        for (int i = 0; i < 3; i++) {
            uint64_t hb = new_net(sizes, 3, "tanh", "identity", "mse", 1);
            int64_t count = 0;
            EXPECT(nnsimd_net_fit(hb, tx, ty, ROWS, 2, 0.05f, batches[i], 0.5f, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_OK);
            EXPECT(nnsimd_net_get_weights(hb, 0, w[i], 2 * 16, &count), NNSIMD_OK);
            CHECK(count == 2 * 16, "weights count %lld", (long long)count);
            EXPECT(nnsimd_net_free(hb), NNSIMD_OK);
        }
        CHECK(memcmp(w[0], w[1], sizeof w[0]) == 0, "batch_size ROWS+1 trained other weights than ROWS");
        CHECK(memcmp(w[0], w[2], sizeof w[0]) == 0, "batch_size INT64_MAX trained other weights than ROWS");
    }

    /* calls back into the same network from its callback: EBUSY, not a deadlock */
    struct cb_state inner = {0};
    inner.net = h;
    inner.cancel_at = 1;
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 100000, 0.01f, 1, 0, 0, 0, 1, progress_cb, &inner, NULL, 0, &got), NNSIMD_ECANCELED);
    CHECK(inner.inner_predict == NNSIMD_EBUSY, "predict from own callback = %d, want EBUSY", inner.inner_predict);
    CHECK(inner.inner_dot == NNSIMD_OK, "dot from a callback = %d", inner.inner_dot);
    CHECK(inner.inner_use_isa == NNSIMD_EBUSY, "use_isa during fit = %d, want EBUSY", inner.inner_use_isa);
    /* a count set during a fit applies after it (the fit trained on 1) */
    CHECK(inner.inner_set_threads == NNSIMD_OK, "set_threads during fit = %d", inner.inner_set_threads);
    CHECK(inner.threads_in_fit == 1, "nnsimd_threads() in a 1-thread fit = %lld", (long long)inner.threads_in_fit);
    CHECK(nnsimd_threads() == 3, "nnsimd_threads() after the fit = %lld, want the 3 set during it",
          (long long)nnsimd_threads());
    EXPECT(nnsimd_set_threads(0), NNSIMD_OK);

    /* cancel: a long fit stops at the callback's request, network usable */
    struct cb_state cancel = {0};
    cancel.cancel_at = 2;
    double t0 = now_seconds();
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1000000, 0.001f, 1, 0, 0, 0, 1, progress_cb, &cancel, NULL, 0, &got), NNSIMD_ECANCELED);
    double took = now_seconds() - t0;
    CHECK(took < 2.0, "cancel took %.2f s", took);
    CHECK(cancel.calls == 2, "callback called %d times after cancel", cancel.calls);
    CHECK(got >= 0 && got < 1000000, "losses_len after cancel = %lld", (long long)got);
    float out[ROWS];
    EXPECT(nnsimd_net_predict(h, tx, ROWS, out, ROWS), NNSIMD_OK);

    /* fit's hostile inputs */
    float bad[ROWS * 2];
    memcpy(bad, tx, sizeof bad);
    bad[77] = NAN;
    /* per-sample training meets row 38 after training on the rows before
     * it, and puts the weights back */
    float w0[32], w1[16], after0[32], after1[16];
    int64_t n0 = 0, n1 = 0;
    EXPECT(nnsimd_net_get_weights(h, 0, w0, 32, &n0), NNSIMD_OK);
    EXPECT(nnsimd_net_get_weights(h, 1, w1, 16, &n1), NNSIMD_OK);
    EXPECT(nnsimd_net_fit(h, bad, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_get_weights(h, 0, after0, 32, &n0), NNSIMD_OK);
    EXPECT(nnsimd_net_get_weights(h, 1, after1, 16, &n1), NNSIMD_OK);
    CHECK(n0 == 32 && n1 == 16 && memcmp(w0, after0, sizeof w0) == 0 && memcmp(w1, after1, sizeof w1) == 0,
          "fit refusing a NaN in x changed the weights");
    bad[77] = INFINITY;
    EXPECT(nnsimd_net_fit(h, bad, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    float bady[ROWS];
    memcpy(bady, ty, sizeof bady);
    bady[ROWS - 1] = -INFINITY;
    EXPECT(nnsimd_net_fit(h, tx, bady, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    bady[ROWS - 1] = NAN;
    EXPECT(nnsimd_net_fit(h, tx, bady, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    const float lrs[] = {0, -0.1f, NAN, INFINITY};
    for (int i = 0; i < 4; i++)
        EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1, lrs[i], 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    const float moms[] = {1, -0.5f, NAN};
    for (int i = 0; i < 3; i++)
        EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1, 0.01f, 8, moms[i], 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, NULL, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, NULL, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, 0, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, -1, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, INT64_MAX, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 0, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, -1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1, 0.01f, -1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, -1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 2, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 2, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 3, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, losses, 2, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, losses, -1, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_fit(0, tx, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);

    /* divergence: a huge learning rate; the weights stay finite and readable */
    int64_t dl = -1;
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 50, 1e6f, 1, 0, 0, 0, 1, NULL, NULL, losses, 200, &dl), NNSIMD_EDIVERGED);
    CHECK(strstr(nnsimd_last_error(), "epoch") && strstr(nnsimd_last_error(), "sample"), "diverged message: %s", nnsimd_last_error());
    CHECK(dl >= 0 && dl < 50, "losses_len after divergence = %lld", (long long)dl);
    float w[32];
    int64_t count = 0;
    EXPECT(nnsimd_net_get_weights(h, 0, w, 32, &count), NNSIMD_OK);
    int finite = 1;
    for (int64_t i = 0; i < count; i++) finite &= isfinite(w[i]) != 0;
    CHECK(finite, "weights after divergence are not finite");
    EXPECT(nnsimd_net_free(h), NNSIMD_OK);
    EXPECT(nnsimd_net_fit(h, tx, ty, ROWS, 1, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
}

/* ----------------------------------------------------------- files */

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        CHECK(0, "cannot create %s", path);
        return;
    }
    fwrite(data, 1, n, f);
    fclose(f);
}

static size_t read_file(const char *path, unsigned char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void test_files(void) {
    char dir[] = "/tmp/nnsimd-capi-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp failed");
        return;
    }
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/model.nns", dir);
    snprintf(bad, sizeof bad, "%s/corrupt.nns", dir);
    const int64_t sizes[] = {2, 5, 3};
    uint64_t h = new_net(sizes, 3, "sigmoid", "softmax", "cross_entropy", 1), h2 = 0;
    EXPECT(nnsimd_net_save(h, path), NNSIMD_OK);
    EXPECT(nnsimd_net_save(h, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_save(h, ""), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_save(h, "/nonexistent-nnsimd-dir/sub/model.nns"), NNSIMD_ENOTFOUND);
    EXPECT(nnsimd_net_save(987654321, path), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_load(path, &h2), NNSIMD_OK);
    const char *hid, *out, *loss;
    int bias;
    EXPECT(nnsimd_net_config(h2, &hid, &out, &loss, &bias), NNSIMD_OK);
    CHECK(strcmp(hid, "sigmoid") == 0 && strcmp(out, "softmax") == 0 && strcmp(loss, "cross_entropy") == 0 && bias == 1,
          "loaded config %s %s %s %d", hid, out, loss, bias);
    float x[4] = {0.3f, -0.7f, 1, 2}, p1[6], p2[6];
    EXPECT(nnsimd_net_predict(h, x, 2, p1, 6), NNSIMD_OK);
    EXPECT(nnsimd_net_predict(h2, x, 2, p2, 6), NNSIMD_OK);
    CHECK(memcmp(p1, p2, sizeof p1) == 0, "loaded network predicts differently");

    EXPECT(nnsimd_net_load(NULL, &h2), NNSIMD_EINVAL);
    EXPECT(nnsimd_net_load(path, NULL), NNSIMD_EINVAL);
    uint64_t h3 = 0;
    EXPECT(nnsimd_net_load("/nonexistent-nnsimd-dir/model.nns", &h3), NNSIMD_ENOTFOUND);
    write_file(bad, "this is not a model file at all", 31);
    EXPECT(nnsimd_net_load(bad, &h3), NNSIMD_EFORMAT);
    write_file(bad, "", 0);
    EXPECT(nnsimd_net_load(bad, &h3), NNSIMD_EFORMAT);
    unsigned char buf[4096];
    size_t n = read_file(path, buf, sizeof buf);
    CHECK(n > 16, "model file has %zu bytes", n);
    write_file(bad, buf, n / 2); /* truncated */
    EXPECT(nnsimd_net_load(bad, &h3), NNSIMD_EFORMAT);
    buf[n - 9] ^= 0x10; /* a flipped bit in the weights */
    write_file(bad, buf, n);
    EXPECT(nnsimd_net_load(bad, &h3), NNSIMD_EFORMAT);
    CHECK(h3 == 0, "a failed load wrote the handle");
    EXPECT(nnsimd_net_load(dir, &h3), NNSIMD_EIO); /* a folder */
    EXPECT(nnsimd_net_free(h), NNSIMD_OK);
    EXPECT(nnsimd_net_free(h2), NNSIMD_OK);
    unlink(path);
    unlink(bad);
    rmdir(dir);

    /* MNIST */
    float *mx = NULL;
    uint8_t *ml = NULL;
    int64_t rows = 0, feats = 0;
    EXPECT(nnsimd_mnist_load(NULL, "validation", &mx, &ml, &rows, &feats), NNSIMD_EINVAL);
    EXPECT(nnsimd_mnist_load(NULL, NULL, &mx, &ml, &rows, &feats), NNSIMD_EINVAL);
    EXPECT(nnsimd_mnist_load(NULL, "test", NULL, &ml, &rows, &feats), NNSIMD_EINVAL);
    EXPECT(nnsimd_mnist_load(NULL, "test", &mx, NULL, &rows, &feats), NNSIMD_EINVAL);
    EXPECT(nnsimd_mnist_load(NULL, "test", &mx, &ml, NULL, &feats), NNSIMD_EINVAL);
    EXPECT(nnsimd_mnist_load(NULL, "test", &mx, &ml, &rows, NULL), NNSIMD_EINVAL);
    EXPECT(nnsimd_mnist_load("/nonexistent-nnsimd-dir", "test", &mx, &ml, &rows, &feats), NNSIMD_ENOTFOUND);
    CHECK(mx == NULL && ml == NULL, "a failed mnist_load wrote outputs");
    if (!quick) {
        int st = nnsimd_mnist_load(NULL, "test", &mx, &ml, &rows, &feats);
        if (st == NNSIMD_ENOTFOUND) {
            fprintf(stderr, "  MNIST not found, its load test skipped: %s\n", nnsimd_last_error());
        } else {
            EXPECT(st, NNSIMD_OK);
            CHECK(rows == 10000 && feats == 784, "MNIST test is %lld×%lld", (long long)rows, (long long)feats);
            int ok = 1;
            for (int64_t i = 0; i < rows * feats; i++) ok &= mx[i] >= 0 && mx[i] <= 1;
            for (int64_t i = 0; i < rows; i++) ok &= ml[i] <= 9;
            CHECK(ok, "MNIST values out of range");
            nnsimd_free(mx);
            nnsimd_free(ml);
        }
    }
    nnsimd_free(NULL);
}

/* ----------------------------------------------------------- threads */

static uint64_t shared_net;

static void *thread_main(void *arg) {
    intptr_t id = (intptr_t)arg;
    int bad = 0;
    /* Each thread's message is its own. */
    float v[2] = {1, 2}, d;
    nnsimd_dot(v, v, -100 - id, &d);
    char want[64];
    snprintf(want, sizeof want, "n = %d", (int)(-100 - id));
    for (int i = 0; i < 50; i++) {
        if (!strstr(nnsimd_last_error(), want)) bad |= 1;
        sched_yield();
    }
    /* Own network: train; shared network: predict (serialised). */
    const int64_t sizes[] = {2, 8, 1};
    uint64_t h = 0;
    if (nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 1, NULL, 0, (uint64_t)id, &h) != NNSIMD_OK) bad |= 2;
    if (nnsimd_net_fit(h, tx, ty, ROWS, quick ? 2 : 10, 0.01f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL) != NNSIMD_OK) bad |= 4;
    float out[ROWS];
    for (int i = 0; i < (quick ? 5 : 50); i++) {
        if (nnsimd_net_predict(shared_net, tx, ROWS, out, ROWS) != NNSIMD_OK) bad |= 8;
    }
    if (nnsimd_net_free(h) != NNSIMD_OK) bad |= 16;
    if (!strstr(nnsimd_last_error(), want)) bad |= 1;
    return (void *)(intptr_t)bad;
}

static void test_threads(void) {
    int64_t count = nnsimd_threads();
    const int64_t sizes[] = {2, 8, 1};
    shared_net = new_net(sizes, 3, NULL, NULL, NULL, 0);
    enum { T = 8 };
    pthread_t th[T];
    for (intptr_t i = 0; i < T; i++) pthread_create(&th[i], NULL, thread_main, (void *)i);
    /* meanwhile, train the shared network from this thread */
    EXPECT(nnsimd_net_fit(shared_net, tx, ty, ROWS, quick ? 2 : 20, 0.01f, 1, 0, 0, 0, 2, NULL, NULL, NULL, 0, NULL), NNSIMD_OK);
    for (int i = 0; i < T; i++) {
        void *r;
        pthread_join(th[i], &r);
        CHECK((intptr_t)r == 0, "thread %d failed with flags %ld", i, (long)(intptr_t)r);
    }
    CHECK(nnsimd_threads() == count, "overlapping fits left %lld threads, want %lld", (long long)nnsimd_threads(),
          (long long)count);
    EXPECT(nnsimd_net_free(shared_net), NNSIMD_OK);
}

/* Many networks created and freed: handles keep counting, nothing leaks
 * into the handle table (checked by its use staying correct). */
static void test_churn(void) {
    const int64_t sizes[] = {16, 16, 4};
    int n = quick ? 100 : 10000, ok = 1;
    for (int i = 0; i < n; i++) {
        uint64_t h = 0;
        ok &= nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 1, NULL, 0, 1, &h) == NNSIMD_OK;
        ok &= nnsimd_net_free(h) == NNSIMD_OK;
    }
    CHECK(ok, "create/free churn failed");
}


/* ------------------------------------------------ issue 6 additions */

/* Every handle-taking function, given a freed handle and a never-issued
 * one: NNSIMD_EINVAL with a message, never a crash or a write. */
static void test_dead_handles(void) {
    const int64_t sizes[] = {2, 3, 2};
    uint64_t freed = new_net(sizes, 3, NULL, NULL, NULL, 1);
    EXPECT(nnsimd_net_free(freed), NNSIMD_OK);
    const uint64_t dead[] = {freed, freed + 1000003, (uint64_t)1 << 63};
    float x[4] = {1, 2, 3, 4}, y[4] = {1, 0, 0, 1}, buf[8] = {0};
    uint8_t labels[2] = {0, 1};
    int64_t count = -7, sz[3];
    double acc = -7;
    const char *hid = NULL;
    int bias = -7;
    for (size_t i = 0; i < sizeof dead / sizeof dead[0]; i++) {
        uint64_t h = dead[i];
        EXPECT(nnsimd_net_num_layers(h, &count), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_sizes(h, sz, 3, &count), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_config(h, &hid, NULL, NULL, &bias), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_get_weights(h, 0, buf, 8, &count), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_set_weights(h, 0, buf, 6), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_get_biases(h, 0, buf, 8, &count), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_set_biases(h, 0, buf, 3), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_fit(h, x, y, 2, 1, 0.1f, 1, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_predict(h, x, 2, buf, 8), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_evaluate(h, x, 2, labels, &acc, NULL, 0), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_save(h, "/tmp/nnsimd-capi-never-written.nns"), NNSIMD_EINVAL);
        EXPECT(nnsimd_net_free(h), NNSIMD_EINVAL);
    }
    CHECK(count == -7 && acc == -7 && hid == NULL && bias == -7, "a call on a dead handle wrote an output");
    CHECK(access("/tmp/nnsimd-capi-never-written.nns", F_OK) != 0, "save on a dead handle created the file");
}

/* NNSIMD_ISA is read when the library loads, so each value is tried in a
 * fresh process: this program re-run with --env-status prints
 * nnsimd_env_status(), nnsimd_isa() and nnsimd_available_isas() (its own:
 * under valgrind this process sees fewer ISAs than the child). */
static void test_env_isa(void) {
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "  /proc/self/exe unreadable: NNSIMD_ISA test skipped\n");
        return;
    }
    self[len] = '\0';
    const char *avail = nnsimd_available_isas();
    struct {
        const char *value;
        int want;
    } cases[] = {
        {"generic", NNSIMD_OK},
        {"bogus", NNSIMD_EINVAL},
        {strstr(avail, "avx2") ? "neon" : "avx2", NNSIMD_EUNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "NNSIMD_ISA=%s '%s' --env-status", cases[i].value, self);
        FILE *p = popen(cmd, "r");
        int st = 99;
        char isa[64] = "", child_avail[256] = "";
        int got = p ? fscanf(p, "%d %63s %255s", &st, isa, child_avail) : 0;
        if (p) pclose(p);
        CHECK(got == 3 && st == cases[i].want, "NNSIMD_ISA=%s: env_status %d, want %d", cases[i].value, st, cases[i].want);
        /* A refused value leaves the best available ISA in use, never the one asked for. */
        CHECK(got == 3 && strstr(child_avail, isa) != NULL && (cases[i].want == NNSIMD_OK) == (strcmp(isa, cases[i].value) == 0),
              "NNSIMD_ISA=%s: running on %s (available %s)", cases[i].value, isa, child_avail);
    }
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib;
}

/* 10,000 networks of 64·64 + 64·10 weights (19 KiB each, 190 MiB if none
 * were freed) created, trained one step, and freed: resident memory after a
 * warm-up of 1,000 stays flat. */
static void test_churn_rss(void) {
    if (quick) return; /* valgrind's RSS says nothing about ours */
    const int64_t sizes[] = {64, 64, 10};
    float x[64 * 4], y[10 * 4];
    fill(x, 64 * 4);
    memset(y, 0, sizeof y);
    int ok = 1;
    long warm = 0;
    for (int i = 0; i < 11000; i++) {
        if (i == 1000) warm = rss_kib();
        uint64_t h = 0;
        ok &= nnsimd_net_new(sizes, 3, NULL, NULL, NULL, 1, NULL, 0, (uint64_t)i, &h) == NNSIMD_OK;
        ok &= nnsimd_net_fit(h, x, y, 4, 1, 0.01f, 4, 0, 0, 0, 1, NULL, NULL, NULL, 0, NULL) == NNSIMD_OK;
        ok &= nnsimd_net_free(h) == NNSIMD_OK;
    }
    long end = rss_kib();
    CHECK(ok, "create/fit/free churn failed: %s", nnsimd_last_error());
    fprintf(stderr, "  churn: RSS %ld KiB after 1,000 networks, %ld KiB after 11,000 (%+ld KiB)\n", warm, end, end - warm);
    CHECK(warm > 0 && end - warm < 16 * 1024, "RSS grew %ld KiB over 10,000 create/free cycles", end - warm);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--env-status") == 0) {
        printf("%d %s %s\n", nnsimd_env_status(), nnsimd_isa(), nnsimd_available_isas());
        return 0;
    }
    quick = getenv("NNSIMD_TEST_QUICK") != NULL && getenv("NNSIMD_TEST_QUICK")[0] == '1';
    CHECK(strcmp(nnsimd_last_error(), "") == 0, "last_error before any failure = %s", nnsimd_last_error());
    test_info();
    test_kernels();
    test_thread_count();
    test_kernel_errors();
    test_net_basics();
    test_training();
    test_files();
    test_threads();
    test_churn();
    test_dead_handles();
    test_env_isa();
    test_churn_rss();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
