#ifndef BINSR_QUANTIZE_H
#define BINSR_QUANTIZE_H
#include <stddef.h>
#include <stdint.h>

// Element-wise passes of the int8 path over NHWC f32 maps of `pixels` rows of `channels` values.
// prelu(v) = v < 0 ? slopes[ch] * v : v; slopes all 1 is the identity. Plain loops that the compiler vectorises
// (Swift's generic SIMD types compiled to per-lane code here, measured 5x slower than the convolutions they feed),
// split over the threads of oneDNN's own OpenMP runtime (libgomp), so they neither fight its spinning threads nor
// leave cores idle.

// largest[ch] = max over the map of |prelu(x)| in channel ch.
void binsr_channel_max_abs_prelu(const float *x, size_t pixels, size_t channels, const float *slopes,
                                 float *largest);

// y = clamp(round_half_even(prelu(x) * multipliers[ch]), -127, 127).
void binsr_quantize_prelu_s8(const float *x, int8_t *y, size_t pixels, size_t channels, const float *slopes,
                             const float *multipliers);

#endif
