/*
 * nnsimd.h — the C interface of libnnsimd, float32 SIMD kernels and
 * multilayer perceptrons with the whole training loop in the library.
 *
 * Build the library with `make lib` (build/libnnsimd.so + build/nnsimd.h) and
 * link with -lnnsimd. The header is C99 and C++ clean.
 *
 * Conventions, true of every function below unless its comment says otherwise:
 *
 *  - The return value is a status: NNSIMD_OK (0) or a negative NNSIMD_E...
 *    code. On failure nothing has been written to any output argument
 *    (nnsimd_net_fit notes its exceptions), and
 *    nnsimd_last_error() explains the failure. Successful calls do not clear
 *    the message.
 *  - Pointer arguments must not be NULL unless documented as optional; NULL
 *    is NNSIMD_EINVAL. Lengths are int64_t and must be 0 ≤ n ≤ NNSIMD_MAX_LEN
 *    (so n·sizeof(float) cannot overflow); anything else is NNSIMD_EINVAL.
 *    The library cannot see how much memory a pointer really points to: a
 *    buffer shorter than the length passed is undefined behaviour, as in C.
 *  - The library reads and writes caller memory only during the call and
 *    keeps no pointer to it afterwards. Memory the library allocates for the
 *    caller is released with nnsimd_free, as each function says.
 *  - Matrices are row-major with a leading dimension (the distance in
 *    elements between the starts of two rows), as in BLAS.
 *  - Every function may be called from several threads at once. Calls on one
 *    network from two threads are serialised by a per-network lock (the
 *    second waits). A call on a network from inside that network's own
 *    progress callback would deadlock and fails with NNSIMD_EBUSY instead.
 *  - A Go panic never crosses this interface: it becomes NNSIMD_EINTERNAL.
 *  - The Go runtime does not survive fork(): after fork, call nothing from
 *    this library in the child (exec first).
 */
#ifndef NNSIMD_H
#define NNSIMD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
#define NNSIMD_OK 0
#define NNSIMD_EINVAL (-1)       /* invalid argument: NULL, bad size, unknown name or handle, NaN hyper-parameter */
#define NNSIMD_ENOMEM (-2)       /* the request needs more memory than the machine has */
#define NNSIMD_EIO (-3)          /* reading or writing a file failed */
#define NNSIMD_EDIVERGED (-4)    /* training produced a NaN or infinite loss and stopped */
#define NNSIMD_ECANCELED (-5)    /* the progress callback asked to stop */
#define NNSIMD_EUNSUPPORTED (-6) /* the CPU lacks the instruction set asked for */
#define NNSIMD_EFORMAT (-7)      /* a model or MNIST file is corrupt, truncated or not of that format */
#define NNSIMD_EBUSY (-8)        /* the resource is in use by a running call (see nnsimd_use_isa) */
#define NNSIMD_ENOTFOUND (-9)    /* a file or folder does not exist, or MNIST could not be located */
#define NNSIMD_EINTERNAL (-10)   /* a bug in the library (a recovered Go panic); the message says where */

/* The largest length any function accepts: 2^45 floats (128 TiB). Larger
 * values, which no buffer can have, are rejected as NNSIMD_EINVAL before any
 * memory is touched. */
#define NNSIMD_MAX_LEN ((int64_t)1 << 45)

/* ---------------------------------------------------------------------------
 * Library information and instruction sets
 * ------------------------------------------------------------------------- */

/* nnsimd_version returns the library version, e.g. "0.1.0". The string is
 * static: do not free it. Never fails. */
const char *nnsimd_version(void);

/* nnsimd_isa names the kernel implementation in use: "avx512", "avx2", "neon"
 * or "generic". The string is static. Never fails. */
const char *nnsimd_isa(void);

/* nnsimd_available_isas lists the implementations this CPU can run, best
 * first, separated by commas, e.g. "avx512,avx2,generic". The string is
 * static. Never fails. */
const char *nnsimd_available_isas(void);

/* nnsimd_use_isa switches every kernel to the named implementation.
 * Returns NNSIMD_OK;
 *   NNSIMD_EINVAL if name is NULL or not an ISA name;
 *   NNSIMD_EUNSUPPORTED if this CPU or build lacks it (nothing changes);
 *   NNSIMD_EBUSY if other calls into the library are running (switching
 *   under a running kernel is unsafe, so it is refused rather than waited for). */
int nnsimd_use_isa(const char *name);

/* nnsimd_env_status reports whether the NNSIMD_ISA environment variable, read
 * when the library was loaded, could be honoured. Returns NNSIMD_OK when it is
 * unset or was honoured; NNSIMD_EUNSUPPORTED (CPU lacks it) or NNSIMD_EINVAL
 * (unknown name) otherwise, with the message in nnsimd_last_error(); the
 * kernels then use the best implementation instead. */
int nnsimd_env_status(void);

/* nnsimd_set_threads sets how many threads one call into the library may
 * use: nnsimd_gemm, nnsimd_net_predict and nnsimd_net_evaluate, and
 * nnsimd_net_fit when its threads argument is 0 (then up to n, fewer while
 * fewer are faster). n = 0 means the number of CPUs, the default. Small
 * calls run on the calling thread whatever the count, and results never
 * depend on it.
 * While nnsimd_net_fit runs, every call uses the count it trains with (the
 * latest started, if several run); a count set meanwhile applies once the
 * last has ended.
 * Returns NNSIMD_OK, or NNSIMD_EINVAL if n < 0 or n > 65536. */
int nnsimd_set_threads(int64_t n);

/* nnsimd_threads returns the thread count calls use now: the one
 * nnsimd_set_threads set (by default the number of CPUs), or a running
 * nnsimd_net_fit's. Never fails. */
int64_t nnsimd_threads(void);

/* nnsimd_last_error returns a message describing the calling thread's last
 * failed call, or "" if none failed yet. The string belongs to the library
 * and stays valid until the same thread's next failing call; other threads'
 * failures never change it. */
const char *nnsimd_last_error(void);

/* nnsimd_free releases memory the library allocated for the caller (see
 * nnsimd_mnist_load). NULL is ignored. */
void nnsimd_free(void *p);

/* ---------------------------------------------------------------------------
 * Kernels. Each computes one whole-array operation; a call costs about
 * 0.1 µs from C, so pass whole arrays, not single elements.
 * Every kernel returns NNSIMD_OK or NNSIMD_EINVAL (NULL pointer, bad size).
 * Pointers may be NULL when the corresponding length is 0.
 * ------------------------------------------------------------------------- */

/* *out = Σ x[i]·y[i] over i < n (up to the order of the additions). */
int nnsimd_dot(const float *x, const float *y, int64_t n, float *out);

/* y[i] += alpha·x[i] for i < n, in place. x and y must not overlap
 * unless x == y (NNSIMD_EINVAL). */
int nnsimd_axpy(float alpha, const float *x, float *y, int64_t n);

/* a[i·lda + j] += alpha·x[i]·y[j] for i < m, j < n: the rank-1 update of the
 * m×n matrix a (BLAS sger). lda ≥ n, else NNSIMD_EINVAL. a must hold
 * (m−1)·lda + n floats. */
int nnsimd_outer_update(float alpha, const float *x, int64_t m, const float *y, int64_t n,
                        float *a, int64_t lda);

/* dst[i] = max(src[i], 0) for i < n (NaN gives 0). dst may equal src;
 * any other overlap is NNSIMD_EINVAL. */
int nnsimd_relu(const float *src, float *dst, int64_t n);

/* dst[i] = e^src[i] for i < n, within 2 units in the last place, except
 * that results below FLT_MIN are 0 (src < -87.33654); src ≥ 88.72284 gives
 * +inf, -inf gives 0 and NaN stays NaN. dst may equal src; any other
 * overlap is NNSIMD_EINVAL. */
int nnsimd_exp(const float *src, float *dst, int64_t n);

/* C = alpha·op(A)·op(B) + beta·C with C m×n, op(A) m×k, op(B) k×n.
 * trans_a non-zero means A is stored k×m and op(A) = Aᵀ; likewise trans_b
 * (B stored n×k). Leading dimensions must be at least the stored row
 * length (k or m for A, n or k for B, n for C), else NNSIMD_EINVAL.
 * beta = 0 overwrites C without reading it. */
int nnsimd_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                float *c, int64_t ldc);

/* ---------------------------------------------------------------------------
 * Networks. A network is an opaque, non-zero uint64_t handle. Handles are
 * never reused: a freed or never-issued handle is NNSIMD_EINVAL, not a crash.
 * ------------------------------------------------------------------------- */

/* nnsimd_net_new creates a fully connected network.
 * sizes[0..count) are the layer widths including the input, e.g.
 * {784, 128, 10}; count ≥ 2, each ≥ 1.
 * hidden: activation of the hidden layers, "relu" (NULL or "" = relu),
 *   "sigmoid", "tanh", "step" or "identity".
 * output: "identity" (NULL or "" = identity), "sigmoid" or "softmax".
 * loss: "mse" (NULL or "" = mse) or "cross_entropy" (needs softmax).
 * bias: non-zero adds a bias vector per layer (initialised to 0).
 * init: "uniform" (NULL or "" = uniform: w = init_scale·(2u − 1)), "he"
 *   or "xavier". init_scale 0 means 0.1; it must be finite and ≥ 0.
 * seed: the weight initialisation seed.
 * On success *out receives the handle; free it with nnsimd_net_free.
 * Returns NNSIMD_OK, NNSIMD_EINVAL (bad argument, named in the message) or
 * NNSIMD_ENOMEM (the weights would not fit in this machine's memory). */
int nnsimd_net_new(const int64_t *sizes, int64_t count, const char *hidden, const char *output,
                   const char *loss, int bias, const char *init, float init_scale,
                   uint64_t seed, uint64_t *out);

/* nnsimd_net_free releases the network. It waits for a call running on it
 * to finish. Returns NNSIMD_OK, or NNSIMD_EINVAL for a handle that is 0,
 * already freed (double free) or never issued. */
int nnsimd_net_free(uint64_t net);

/* nnsimd_net_num_layers writes the number of weight layers (count − 1 of
 * nnsimd_net_new) to *out. Returns NNSIMD_OK or NNSIMD_EINVAL. */
int nnsimd_net_num_layers(uint64_t net, int64_t *out);

/* nnsimd_net_sizes copies the layer widths into sizes[0..cap) and writes
 * their number to *count. sizes may be NULL with cap 0 to ask for the count.
 * Returns NNSIMD_OK, or NNSIMD_EINVAL (bad handle, NULL count, or cap
 * non-zero but smaller than the count). */
int nnsimd_net_sizes(uint64_t net, int64_t *sizes, int64_t cap, int64_t *count);

/* nnsimd_net_config writes the network's settings, defaults filled in. Each
 * string pointer receives a static string (do not free); *bias 0 or 1.
 * Any output pointer may be NULL to skip it. Returns NNSIMD_OK or
 * NNSIMD_EINVAL (bad handle). */
int nnsimd_net_config(uint64_t net, const char **hidden, const char **output, const char **loss,
                      int *bias);

/* nnsimd_net_get_weights copies layer's weight matrix, inputs×outputs row-
 * major, into buf[0..cap) and writes the number of floats to *count. buf may
 * be NULL with cap 0 to ask for the count. Returns NNSIMD_OK, or
 * NNSIMD_EINVAL (bad handle or layer, NULL count, cap non-zero but too
 * small). */
int nnsimd_net_get_weights(uint64_t net, int64_t layer, float *buf, int64_t cap, int64_t *count);

/* nnsimd_net_set_weights copies count floats (inputs×outputs of layer, row-
 * major) from w into the layer. Returns NNSIMD_OK or NNSIMD_EINVAL (bad
 * handle or layer, count ≠ inputs·outputs, NULL w). */
int nnsimd_net_set_weights(uint64_t net, int64_t layer, const float *w, int64_t count);

/* nnsimd_net_get_biases / nnsimd_net_set_biases: the same for the layer's
 * bias vector (outputs floats). A network without bias has none: get
 * writes *count = 0, set returns NNSIMD_EINVAL. */
int nnsimd_net_get_biases(uint64_t net, int64_t layer, float *buf, int64_t cap, int64_t *count);
int nnsimd_net_set_biases(uint64_t net, int64_t layer, const float *b, int64_t count);

/* The progress of a running nnsimd_net_fit. */
typedef struct nnsimd_progress {
    int64_t epoch;           /* 1-based epoch being trained */
    int64_t epochs;          /* epochs asked for */
    int64_t done;            /* samples done in this epoch */
    int64_t total;           /* samples in an epoch (rows) */
    double loss;             /* mean loss so far this epoch */
    double samples_per_sec;  /* training speed */
    double elapsed_seconds;  /* since nnsimd_net_fit started */
} nnsimd_progress;

/* A progress callback. p is valid only during the call. Return 0 to go on,
 * non-zero to stop training (nnsimd_net_fit then returns NNSIMD_ECANCELED).
 * It must not call functions on the network being trained (NNSIMD_EBUSY). */
typedef int (*nnsimd_progress_fn)(const nnsimd_progress *p, void *user);

/* nnsimd_net_fit trains the network on rows samples, running the whole loop
 * in the library.
 * x: rows×inputs floats, y: rows×outputs targets (e.g. one-hot), row-major.
 *   Both must be finite: NaN or Inf is NNSIMD_EINVAL, with the weights as
 *   they were (per-sample training checks each row of x as it reaches it
 *   and puts the weights back; progress may have been called by then).
 * epochs ≥ 1; lr > 0 and finite; batch_size 0 or 1 = per-sample SGD in data
 *   order (the book's algorithm), > 1 = mini-batch SGD (above rows: all rows
 *   one batch);
 *   momentum in [0, 1); shuffle non-zero shuffles every epoch with seed;
 *   threads in 0 .. 65536 (0 = up to the count of nnsimd_set_threads, all
 *   CPUs by default, fewer while fewer are faster in mini-batch training;
 *   the result does not depend on it).
 * progress (optional, may be NULL) is called on the calling thread at most
 *   five times per second and once at the end, with user passed through.
 * losses (optional when losses_cap is 0): receives the mean loss of every
 *   completed epoch; losses_cap must then be ≥ epochs. *losses_len
 *   (optional, may be NULL) receives the number of losses written — also on
 *   NNSIMD_ECANCELED and NNSIMD_EDIVERGED, where it counts the epochs
 *   completed before the stop.
 * Returns NNSIMD_OK; NNSIMD_EINVAL (bad handle or argument, named);
 *   NNSIMD_ENOMEM; NNSIMD_ECANCELED (the callback returned non-zero; the
 *   network keeps the weights reached and stays usable); NNSIMD_EDIVERGED (a
 *   NaN or infinite loss; the message names epoch and sample; the weights
 *   are the last finite ones); NNSIMD_EBUSY (called from the network's own
 *   progress callback). */
int nnsimd_net_fit(uint64_t net, const float *x, const float *y, int64_t rows, int64_t epochs,
                   float lr, int64_t batch_size, float momentum, int shuffle, uint64_t seed,
                   int64_t threads, nnsimd_progress_fn progress, void *user, double *losses,
                   int64_t losses_cap, int64_t *losses_len);

/* nnsimd_net_predict runs rows samples x (rows×inputs) through the network
 * and writes rows×outputs floats to out, which holds out_cap floats
 * (≥ rows·outputs). x must be finite: a NaN or Inf is NNSIMD_EINVAL, naming
 * its row and column (out then holds some rows' outputs). Returns NNSIMD_OK,
 * NNSIMD_EINVAL or NNSIMD_EBUSY. */
int nnsimd_net_predict(uint64_t net, const float *x, int64_t rows, float *out, int64_t out_cap);

/* nnsimd_net_evaluate classifies rows samples: a sample is correct when its
 * largest output is at index labels[i]. A one-output network is a yes/no
 * classifier: class 1 when its output is ≥ 0.5, else 0. classes is the
 * number of outputs, or 2 for one output; each label must be < classes.
 * Writes the fraction correct, in [0, 1], to *accuracy. confusion (optional,
 * may be NULL with confusion_cap 0) receives the classes×classes counts
 * [true][predicted] and then needs confusion_cap ≥ classes². x must be
 * finite, as for nnsimd_net_predict. Returns NNSIMD_OK, NNSIMD_EINVAL or
 * NNSIMD_EBUSY. */
int nnsimd_net_evaluate(uint64_t net, const float *x, int64_t rows, const uint8_t *labels,
                        double *accuracy, int64_t *confusion, int64_t confusion_cap);

/* nnsimd_net_save writes the network to the file path (UTF-8) atomically: a
 * temporary file in the same folder is written, synced and renamed, so an
 * existing file is either replaced whole or left intact. Returns NNSIMD_OK,
 * NNSIMD_EINVAL (NULL or empty path, bad handle), NNSIMD_ENOTFOUND (the
 * folder does not exist) or NNSIMD_EIO. */
int nnsimd_net_save(uint64_t net, const char *path);

/* nnsimd_net_load reads a network saved by nnsimd_net_save and writes a new
 * handle to *out. Returns NNSIMD_OK, NNSIMD_EINVAL (NULL argument),
 * NNSIMD_ENOTFOUND (no such file), NNSIMD_EIO, NNSIMD_EFORMAT (not a model
 * file, unsupported version, truncated, checksum mismatch or impossible
 * shapes) or NNSIMD_ENOMEM. */
int nnsimd_net_load(const char *path, uint64_t *out);

/* ---------------------------------------------------------------------------
 * Data
 * ------------------------------------------------------------------------- */

/* nnsimd_mnist_load reads the MNIST split "train" (60000 images) or "test"
 * (10000) from the folder dir (IDX files, gzipped or not); dir NULL or ""
 * locates it ($NNSIMD_DATA, else the Go module cache). The library
 * allocates *x (rows×features floats, pixels/255 in [0, 1]) and *labels
 * (rows bytes, 0..9); the caller releases both with nnsimd_free. *rows and
 * *features receive the shape (features = 784).
 * Returns NNSIMD_OK, NNSIMD_EINVAL (NULL output, bad split), NNSIMD_ENOTFOUND,
 * NNSIMD_EIO, NNSIMD_EFORMAT or NNSIMD_ENOMEM. */
int nnsimd_mnist_load(const char *dir, const char *split, float **x, uint8_t **labels,
                      int64_t *rows, int64_t *features);

#ifdef __cplusplus
}
#endif

#endif /* NNSIMD_H */
