#include "quantize.h"

#include <stdlib.h>
#include <string.h>

// libgomp's entry points (GCC's OpenMP ABI; oneDNN's Debian build runs on libgomp): clang here cannot emit them
// for `#pragma omp` (its -fopenmp means LLVM's libomp, a second runtime), so the two passes call them directly.
extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);
extern int omp_get_max_threads(void);

// Built for AVX-512, AVX2 and baseline x86-64, picked at load time (ifunc): the passes are memory-bound, but
// baseline SSE2 code ran them scalar (measured with perf: mulss). Branch-free bodies so the loops vectorise.
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define BINSR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define BINSR_CLONES
#endif

static inline float prelu(float v, float slope) {
    float positive = v > 0.0f ? v : 0.0f;
    float negative = v < 0.0f ? v : 0.0f;
    return positive + slope * negative;
}

BINSR_CLONES
static void max_rows(const float *x, size_t begin, size_t end, size_t channels, const float *slopes,
                     float *largest) {
    // Per-channel running maxima: an element-wise loop, which vectorises (a scalar max reduction does not).
    for (size_t p = begin; p < end; p++) {
        const float *row = x + p * channels;
        for (size_t c = 0; c < channels; c++) {
            float y = prelu(row[c], slopes[c]);
            float m = y < 0.0f ? -y : y;
            largest[c] = m > largest[c] ? m : largest[c];
        }
    }
}

BINSR_CLONES
static void quantize_rows(const float *x, int8_t *y, size_t begin, size_t end, size_t channels,
                          const float *slopes, const float *multipliers) {
    // Adding 1.5 * 2^23 rounds to the nearest integer (ties to even, the FPU's mode) into the low mantissa bits.
    const float magic = 12582912.0f;
    for (size_t p = begin; p < end; p++) {
        const float *row = x + p * channels;
        int8_t *out = y + p * channels;
        for (size_t c = 0; c < channels; c++) {
            float q = prelu(row[c], slopes[c]) * multipliers[c];
            q = q < -127.0f ? -127.0f : q;
            q = q > 127.0f ? 127.0f : q;
            float shifted = q + magic;
            int32_t bits;
            memcpy(&bits, &shifted, sizeof bits);
            out[c] = (int8_t)(bits - 0x4B400000);
        }
    }
}

struct job {
    const float *x;
    int8_t *y;
    size_t pixels, channels;
    const float *slopes, *multipliers;
    float *partials;  // one row of `channels` maxima per thread
};

static void rows_of_thread(const struct job *j, size_t *begin, size_t *end) {
    size_t t = (size_t)omp_get_thread_num(), n = (size_t)omp_get_num_threads();
    *begin = j->pixels * t / n;
    *end = j->pixels * (t + 1) / n;
}

static void max_worker(void *data) {
    const struct job *j = data;
    size_t begin, end;
    rows_of_thread(j, &begin, &end);
    max_rows(j->x, begin, end, j->channels, j->slopes, j->partials + (size_t)omp_get_thread_num() * j->channels);
}

static void quantize_worker(void *data) {
    const struct job *j = data;
    size_t begin, end;
    rows_of_thread(j, &begin, &end);
    quantize_rows(j->x, j->y, begin, end, j->channels, j->slopes, j->multipliers);
}

// Threads for a pass: the caller's OpenMP setting (EngineThreads), one for small maps.
static unsigned threads_for(size_t pixels) {
    int t = omp_get_max_threads();
    return pixels < 4096 || t < 1 ? 1u : (unsigned)t;
}

void binsr_channel_max_abs_prelu(const float *x, size_t pixels, size_t channels, const float *slopes,
                                 float *largest) {
    unsigned threads = threads_for(pixels);
    float *partials = calloc((size_t)threads * channels, sizeof(float));
    if (partials == NULL) {  // no memory for per-thread maxima: one thread, straight into the result
        memset(largest, 0, channels * sizeof(float));
        max_rows(x, 0, pixels, channels, slopes, largest);
        return;
    }
    struct job j = {x, NULL, pixels, channels, slopes, NULL, partials};
    if (threads == 1) {
        max_rows(x, 0, pixels, channels, slopes, partials);
    } else {
        GOMP_parallel(max_worker, &j, threads, 0);
    }
    for (size_t c = 0; c < channels; c++) {
        float m = 0.0f;
        for (unsigned t = 0; t < threads; t++) m = partials[t * channels + c] > m ? partials[t * channels + c] : m;
        largest[c] = m;
    }
    free(partials);
}

void binsr_quantize_prelu_s8(const float *x, int8_t *y, size_t pixels, size_t channels, const float *slopes,
                             const float *multipliers) {
    unsigned threads = threads_for(pixels);
    struct job j = {x, y, pixels, channels, slopes, multipliers, NULL};
    if (threads == 1) {
        quantize_rows(x, y, 0, pixels, channels, slopes, multipliers);
    } else {
        GOMP_parallel(quantize_worker, &j, threads, 0);
    }
}
