// A setjmp-safe C boundary around libpng 1.6 for the ImageCodecs Swift module.
//
// libpng reports errors by longjmp-ing out of its error callback. A longjmp across Swift frames is undefined
// behaviour (Swift does not support setjmp at all), so every libpng call happens inside this C file: the error
// callback jumps back to a setjmp in the same C function that called libpng, and only plain status codes and
// buffers cross into Swift. The header includes no libpng header, so Swift sees only these few declarations.
#ifndef BINSR_PNG_SHIM_H
#define BINSR_PNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#define BINSR_PNG_MESSAGE_LENGTH 256

typedef enum {
    BINSR_PNG_OK = 0,
    BINSR_PNG_TRUNCATED = 1,        // the data ended before the image (or IEND) was complete
    BINSR_PNG_CORRUPT = 2,          // libpng rejected the data; `message` says why
    BINSR_PNG_NO_MEMORY = 3,
    BINSR_PNG_INVALID_ARGUMENT = 4  // caller error: wrong buffer size, bad parameters
} binsr_png_status;

/// What a decode produces, known after the header: libpng's transforms are already applied, so `channels` and
/// `bit_depth` describe the output samples (palette -> RGB, gray 1/2/4 -> 8, tRNS -> alpha).
typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t channels;          // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    int32_t bit_depth;         // 8 or 16 (16-bit samples are written in native byte order)
    int32_t source_bit_depth;  // IHDR bit depth: 1, 2, 4, 8 or 16
    int32_t source_color_type; // IHDR colour type: 0, 2, 3, 4 or 6
    int32_t interlaced;
    char message[BINSR_PNG_MESSAGE_LENGTH];
} binsr_png_info;

/// Parses the signature and every chunk before the first IDAT; allocates nothing proportional to the image.
binsr_png_status binsr_png_read_info(const uint8_t *data, size_t size, binsr_png_info *info);

/// Decodes the whole file (through IEND) into `pixels`, which must hold exactly
/// `width * height * channels * bit_depth / 8` bytes as reported by `binsr_png_read_info`.
binsr_png_status binsr_png_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                                  binsr_png_info *info);

/// Encodes interleaved samples (8-bit, or 16-bit in native byte order) at zlib level 0-9. On success `*out` is a
/// malloc-ed buffer of `*out_size` bytes that the caller releases with `binsr_png_free`.
binsr_png_status binsr_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int32_t channels,
                                  int32_t bit_depth, int32_t compression_level, uint8_t **out, size_t *out_size,
                                  char message[BINSR_PNG_MESSAGE_LENGTH]);

void binsr_png_free(void *buffer);

#endif
