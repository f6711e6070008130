// A setjmp-safe C boundary around libjpeg-turbo for the ImageCodecs Swift module.
//
// libjpeg's default error_exit() calls exit(), and the documented alternative is to longjmp out of it. Neither
// may happen across Swift frames, so every libjpeg call lives in this C file: error_exit jumps back to a setjmp
// in the same C function that called libjpeg, and Swift sees only status codes and plain buffers.
#ifndef BINSR_JPEG_SHIM_H
#define BINSR_JPEG_SHIM_H

#include <stddef.h>
#include <stdint.h>

#define BINSR_JPEG_MESSAGE_LENGTH 200

typedef enum {
    BINSR_JPEG_OK = 0,
    BINSR_JPEG_TRUNCATED = 1,        // the data ended before the image was complete
    BINSR_JPEG_CORRUPT = 2,          // libjpeg rejected the data; `message` says why
    BINSR_JPEG_UNSUPPORTED = 3,      // valid JPEG using a feature this build cannot decode (12-bit, lossless)
    BINSR_JPEG_NO_MEMORY = 4,        // over the decoder's memory limit
    BINSR_JPEG_INVALID_ARGUMENT = 5  // caller error: wrong buffer size, bad parameters
} binsr_jpeg_status;

typedef struct {
    uint32_t width;         // as stored, before any EXIF orientation
    uint32_t height;
    int32_t components;     // output samples per pixel: 1 (gray), 3 (RGB) or 4 (CMYK)
    int32_t inverted_cmyk;  // 1 when an Adobe APP14 marker is present (Photoshop writes CMYK inverted)
    int32_t progressive;
    int32_t arithmetic;
    char message[BINSR_JPEG_MESSAGE_LENGTH];
} binsr_jpeg_info;

/// Reads markers up to the first SOS; allocates nothing proportional to the image.
binsr_jpeg_status binsr_jpeg_read_info(const uint8_t *data, size_t size, binsr_jpeg_info *info);

/// Decodes into `pixels` (`width * height * components` bytes, interleaved). `max_scans` bounds the number of
/// progressive scans (a crafted file can otherwise repeat tiny scans to burn CPU).
binsr_jpeg_status binsr_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                                    int32_t max_scans, binsr_jpeg_info *info);

/// Encodes interleaved 8-bit gray (1) or RGB (3) samples as a baseline JPEG with optimized Huffman tables;
/// colour uses 4:2:0 chroma when `subsample_chroma` is nonzero, else 4:4:4. On success `*out` is a malloc-ed
/// buffer of `*out_size` bytes that the caller releases with `binsr_jpeg_free`.
binsr_jpeg_status binsr_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int32_t components,
                                    int32_t quality, int32_t subsample_chroma, uint8_t **out, size_t *out_size,
                                    char message[BINSR_JPEG_MESSAGE_LENGTH]);

void binsr_jpeg_free(void *buffer);

#endif
