#include "quantize.h"

#include <string.h>

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
void binsr_channel_max_abs_prelu(const float *x, size_t begin, size_t end, size_t channels, const float *slopes,
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
void binsr_quantize_prelu_s8(const float *x, int8_t *y, size_t begin, size_t end, size_t channels,
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
