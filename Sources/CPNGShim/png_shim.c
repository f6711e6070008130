// See include/png_shim.h for why libpng is wrapped in C. Pattern: an outer function owns all state that must
// survive a longjmp (C11 7.13.2.1: locals changed after setjmp are indeterminate after the jump), and an inner
// function holds the setjmp and the libpng calls.
#include "png_shim.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Ancillary chunks larger than this are dropped with a warning instead of allocated (libpng's own default is
// 8 MB; crashers/huge_*_chunk.png declare chunks of up to 2^31 bytes).
static const png_alloc_size_t chunk_malloc_max = 8u << 20;

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int truncated;
    png_bytep *rows;
    char *message;
    // Encoder output, grown geometrically.
    uint8_t *out;
    size_t out_size;
    size_t out_capacity;
} shim_state;

static void set_message(char *message, const char *text) {
    if (message != NULL) snprintf(message, BINSR_PNG_MESSAGE_LENGTH, "%s", text);
}

static void on_error(png_structp png, png_const_charp text) {
    shim_state *state = (shim_state *)png_get_error_ptr(png);
    set_message(state->message, text);
    png_longjmp(png, 1);
}

// Warnings (bad CRC in an ancillary chunk, oversized ancillary chunk, ...) are not failures: the chunk is skipped.
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_read(png_structp png, png_bytep out, size_t length) {
    shim_state *state = (shim_state *)png_get_io_ptr(png);
    if (length > state->size - state->offset) {
        state->truncated = 1;
        png_error(png, "unexpected end of PNG data");
    }
    memcpy(out, state->data + state->offset, length);
    state->offset += length;
}

static void on_write(png_structp png, png_bytep data, size_t length) {
    shim_state *state = (shim_state *)png_get_io_ptr(png);
    if (length > state->out_capacity - state->out_size) {
        size_t capacity = state->out_capacity ? state->out_capacity : 4096;
        while (capacity - state->out_size < length) {
            if (capacity > SIZE_MAX / 2) png_error(png, "PNG output too large");
            capacity *= 2;
        }
        uint8_t *grown = realloc(state->out, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        state->out = grown;
        state->out_capacity = capacity;
    }
    memcpy(state->out + state->out_size, data, length);
    state->out_size += length;
}

static void on_flush(png_structp png) { (void)png; }

static int is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

// Everything that may longjmp. Returns normally only on success.
static binsr_png_status decode_inner(shim_state *state, png_structp png, png_infop pinfo, uint8_t *pixels,
                                     size_t pixels_size, binsr_png_info *info) {
    if (setjmp(png_jmpbuf(png))) {
        return state->truncated ? BINSR_PNG_TRUNCATED : BINSR_PNG_CORRUPT;
    }
    png_set_read_fn(png, state, on_read);
    png_set_chunk_malloc_max(png, chunk_malloc_max);
    // Dimensions are bounded by the caller's pixel limit; libpng's own 1e6 x 1e6 default stays as a backstop.
    png_read_info(png, pinfo);

    const int color_type = png_get_color_type(png, pinfo);
    const int bit_depth = png_get_bit_depth(png, pinfo);
    info->width = png_get_image_width(png, pinfo);
    info->height = png_get_image_height(png, pinfo);
    info->source_bit_depth = bit_depth;
    info->source_color_type = color_type;
    info->interlaced = png_get_interlace_type(png, pinfo) != PNG_INTERLACE_NONE;

    // Expand to 8 or 16 bits per sample without changing values: palette -> RGB(A), low-bit gray scaled to
    // 0-255 (1 -> 255, 3 -> 255 for 2-bit, ...), tRNS -> a real alpha channel. No gamma, no sBIT shifting:
    // the stored sample values are the image (PNG 3rd ed. 13.13 leaves gamma handling to the viewer).
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, pinfo, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16 && is_little_endian()) png_set_swap(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);

    info->channels = png_get_channels(png, pinfo);
    info->bit_depth = png_get_bit_depth(png, pinfo);
    if (pixels == NULL) return BINSR_PNG_OK;

    const size_t row_bytes = png_get_rowbytes(png, pinfo);
    const size_t expected_row = (size_t)info->width * (size_t)info->channels * (size_t)(info->bit_depth / 8);
    if (row_bytes != expected_row || info->height == 0 || pixels_size / row_bytes != info->height ||
        pixels_size % row_bytes != 0) {
        set_message(state->message, "pixel buffer size does not match the PNG header");
        return BINSR_PNG_INVALID_ARGUMENT;
    }
    state->rows = malloc(sizeof(png_bytep) * info->height);
    if (state->rows == NULL) {
        set_message(state->message, "out of memory");
        return BINSR_PNG_NO_MEMORY;
    }
    for (uint32_t y = 0; y < info->height; y++) state->rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, state->rows);
    // Reads through IEND so that a truncated tail or a bad zlib checksum is reported rather than ignored.
    png_read_end(png, NULL);
    return BINSR_PNG_OK;
}

static binsr_png_status decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                               binsr_png_info *info) {
    memset(info, 0, sizeof *info);
    if (data == NULL || size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        set_message(info->message, size < 8 ? "unexpected end of PNG data" : "not a PNG signature");
        return size < 8 ? BINSR_PNG_TRUNCATED : BINSR_PNG_CORRUPT;
    }
    shim_state state = {.data = data, .size = size, .message = info->message};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (png == NULL) return BINSR_PNG_NO_MEMORY;
    png_infop pinfo = png_create_info_struct(png);
    if (pinfo == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return BINSR_PNG_NO_MEMORY;
    }
    binsr_png_status status = decode_inner(&state, png, pinfo, pixels, pixels_size, info);
    png_destroy_read_struct(&png, &pinfo, NULL);
    free(state.rows);
    return status;
}

binsr_png_status binsr_png_read_info(const uint8_t *data, size_t size, binsr_png_info *info) {
    return decode(data, size, NULL, 0, info);
}

binsr_png_status binsr_png_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                                  binsr_png_info *info) {
    if (pixels == NULL) return BINSR_PNG_INVALID_ARGUMENT;
    return decode(data, size, pixels, pixels_size, info);
}

static binsr_png_status encode_inner(shim_state *state, png_structp png, png_infop pinfo, const uint8_t *pixels,
                                     uint32_t width, uint32_t height, int32_t channels, int32_t bit_depth,
                                     int32_t level) {
    if (setjmp(png_jmpbuf(png))) return BINSR_PNG_CORRUPT;
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                       PNG_COLOR_TYPE_RGB_ALPHA};
    png_set_write_fn(png, state, on_write, on_flush);
    png_set_compression_level(png, level);
    png_set_IHDR(png, pinfo, width, height, bit_depth, color_types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, pinfo);
    if (bit_depth == 16 && is_little_endian()) png_set_swap(png);
    const size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * row_bytes);
    png_write_end(png, NULL);
    return BINSR_PNG_OK;
}

binsr_png_status binsr_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int32_t channels,
                                  int32_t bit_depth, int32_t compression_level, uint8_t **out, size_t *out_size,
                                  char message[BINSR_PNG_MESSAGE_LENGTH]) {
    *out = NULL;
    *out_size = 0;
    set_message(message, "");
    if (pixels == NULL || width == 0 || height == 0 || channels < 1 || channels > 4 ||
        (bit_depth != 8 && bit_depth != 16) || compression_level < 0 || compression_level > 9) {
        set_message(message, "invalid PNG encoder arguments");
        return BINSR_PNG_INVALID_ARGUMENT;
    }
    shim_state state = {.message = message};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (png == NULL) return BINSR_PNG_NO_MEMORY;
    png_infop pinfo = png_create_info_struct(png);
    if (pinfo == NULL) {
        png_destroy_write_struct(&png, NULL);
        return BINSR_PNG_NO_MEMORY;
    }
    binsr_png_status status = encode_inner(&state, png, pinfo, pixels, width, height, channels, bit_depth,
                                           compression_level);
    png_destroy_write_struct(&png, &pinfo);
    if (status != BINSR_PNG_OK) {
        free(state.out);
        return status;
    }
    *out = state.out;
    *out_size = state.out_size;
    return BINSR_PNG_OK;
}

void binsr_png_free(void *buffer) { free(buffer); }
