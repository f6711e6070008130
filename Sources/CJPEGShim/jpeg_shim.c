// See include/jpeg_shim.h for why libjpeg is wrapped in C. As in png_shim.c, an outer function owns all state
// read after a longjmp (C11 7.13.2.1) and an inner function holds the setjmp and the libjpeg calls.
#include "jpeg_shim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

// Upper bound on libjpeg's own allocations (progressive coefficient buffers are width * height * components * 2
// bytes; the caller's pixel limit keeps real images far below this). Over it, libjpeg fails instead of swapping.
static const long max_memory = 1L << 30;

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    binsr_jpeg_status status;
    char *message;
    int32_t max_scans;
} error_manager;

typedef struct {
    struct jpeg_progress_mgr pub;
    error_manager *errors;
} progress_manager;

static void record(j_common_ptr cinfo, binsr_jpeg_status status) {
    error_manager *errors = (error_manager *)cinfo->err;
    errors->status = status;
    if (errors->message != NULL) {
        char text[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, text);
        snprintf(errors->message, BINSR_JPEG_MESSAGE_LENGTH, "%s", text);
    }
}

static void on_error_exit(j_common_ptr cinfo) {
    error_manager *errors = (error_manager *)cinfo->err;
    switch (cinfo->err->msg_code) {
    case JERR_BAD_PRECISION:
    case JERR_NOT_COMPILED:
    case JERR_SOF_UNSUPPORTED:
    case JERR_CONVERSION_NOTIMPL:
        record(cinfo, BINSR_JPEG_UNSUPPORTED);
        break;
    case JERR_OUT_OF_MEMORY:
    case JERR_NO_BACKING_STORE:
    case JERR_TFILE_CREATE:
        record(cinfo, BINSR_JPEG_NO_MEMORY);
        break;
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
        record(cinfo, BINSR_JPEG_TRUNCATED);
        break;
    default:
        if (errors->status == BINSR_JPEG_OK) record(cinfo, BINSR_JPEG_CORRUPT);
        break;
    }
    longjmp(errors->jump, 1);
}

// Warnings (level -1) are corrupt-data reports that libjpeg would paper over with gray blocks; they are errors
// here, like libjpeg-turbo's `djpeg -strict`, except the harmless ones real encoders commonly produce.
// Trace messages (level >= 0) are ignored.
static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    switch (cinfo->err->msg_code) {
    case JWRN_EXTRANEOUS_DATA: // stray bytes before a marker
    case JWRN_JFIF_MAJOR:      // unknown JFIF version
    case JWRN_ADOBE_XFORM:     // unknown Adobe transform code
    case JWRN_BOGUS_ICC:       // malformed ICC marker (we ignore ICC)
        return;
    case JWRN_JPEG_EOF:
        record(cinfo, BINSR_JPEG_TRUNCATED);
        break;
    default:
        record(cinfo, BINSR_JPEG_CORRUPT);
        break;
    }
    longjmp(((error_manager *)cinfo->err)->jump, 1);
}

static void on_progress(j_common_ptr cinfo) {
    progress_manager *progress = (progress_manager *)cinfo->progress;
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (progress->errors->max_scans > 0 && dinfo->input_scan_number > progress->errors->max_scans) {
        progress->errors->status = BINSR_JPEG_CORRUPT;
        snprintf(progress->errors->message, BINSR_JPEG_MESSAGE_LENGTH, "more than %d progressive scans",
                 progress->errors->max_scans);
        longjmp(progress->errors->jump, 1);
    }
}

static void install_errors(j_common_ptr cinfo, error_manager *errors, char *message) {
    cinfo->err = jpeg_std_error(&errors->pub);
    errors->pub.error_exit = on_error_exit;
    errors->pub.emit_message = on_emit_message;
    errors->status = BINSR_JPEG_OK;
    errors->message = message;
}

typedef struct {
    struct jpeg_decompress_struct cinfo;
    error_manager errors;
    progress_manager progress;
    int created;
} decode_state;

static binsr_jpeg_status decode_inner(decode_state *state, const uint8_t *data, size_t size, uint8_t *pixels,
                                      size_t pixels_size, binsr_jpeg_info *info) {
    j_decompress_ptr cinfo = &state->cinfo;
    if (setjmp(state->errors.jump)) return state->errors.status == BINSR_JPEG_OK ? BINSR_JPEG_CORRUPT
                                                                                 : state->errors.status;
    jpeg_create_decompress(cinfo);
    state->created = 1;
    cinfo->mem->max_memory_to_use = max_memory;
    state->progress.pub.progress_monitor = on_progress;
    state->progress.errors = &state->errors;
    cinfo->progress = &state->progress.pub;
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);

    info->width = cinfo->image_width;
    info->height = cinfo->image_height;
    info->progressive = cinfo->progressive_mode;
    info->arithmetic = cinfo->arith_code;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        info->components = 1;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK;
        info->components = 4;
        info->inverted_cmyk = cinfo->saw_Adobe_marker;
        break;
    default:
        cinfo->out_color_space = JCS_RGB;
        info->components = 3;
        break;
    }
    if (pixels == NULL) return BINSR_JPEG_OK;

    const size_t row_bytes = (size_t)info->width * (size_t)info->components;
    if (info->height == 0 || row_bytes == 0 || pixels_size / row_bytes != info->height ||
        pixels_size % row_bytes != 0) {
        snprintf(info->message, BINSR_JPEG_MESSAGE_LENGTH, "pixel buffer size does not match the JPEG header");
        return BINSR_JPEG_INVALID_ARGUMENT;
    }
    jpeg_start_decompress(cinfo);
    if (cinfo->output_width != info->width || cinfo->output_height != info->height ||
        cinfo->output_components != info->components) {
        snprintf(info->message, BINSR_JPEG_MESSAGE_LENGTH, "unexpected JPEG output layout");
        return BINSR_JPEG_CORRUPT;
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = pixels + (size_t)cinfo->output_scanline * row_bytes;
        if (jpeg_read_scanlines(cinfo, &row, 1) != 1) {
            snprintf(info->message, BINSR_JPEG_MESSAGE_LENGTH, "JPEG data ended early");
            return BINSR_JPEG_TRUNCATED;
        }
    }
    jpeg_finish_decompress(cinfo);
    return BINSR_JPEG_OK;
}

static binsr_jpeg_status decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                                int32_t max_scans, binsr_jpeg_info *info) {
    memset(info, 0, sizeof *info);
    if (data == NULL || size == 0) {
        snprintf(info->message, BINSR_JPEG_MESSAGE_LENGTH, "empty JPEG data");
        return BINSR_JPEG_TRUNCATED;
    }
    decode_state *state = calloc(1, sizeof *state);
    if (state == NULL) return BINSR_JPEG_NO_MEMORY;
    install_errors((j_common_ptr)&state->cinfo, &state->errors, info->message);
    state->errors.max_scans = max_scans;
    binsr_jpeg_status status = decode_inner(state, data, size, pixels, pixels_size, info);
    if (state->created) jpeg_destroy_decompress(&state->cinfo);
    free(state);
    return status;
}

binsr_jpeg_status binsr_jpeg_read_info(const uint8_t *data, size_t size, binsr_jpeg_info *info) {
    return decode(data, size, NULL, 0, 0, info);
}

binsr_jpeg_status binsr_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t pixels_size,
                                    int32_t max_scans, binsr_jpeg_info *info) {
    if (pixels == NULL) return BINSR_JPEG_INVALID_ARGUMENT;
    return decode(data, size, pixels, pixels_size, max_scans, info);
}

typedef struct {
    struct jpeg_compress_struct cinfo;
    error_manager errors;
    int created;
    unsigned char *out;
    unsigned long out_size;
} encode_state;

static binsr_jpeg_status encode_inner(encode_state *state, const uint8_t *pixels, uint32_t width, uint32_t height,
                                      int32_t components, int32_t quality, int32_t subsample_chroma) {
    j_compress_ptr cinfo = &state->cinfo;
    if (setjmp(state->errors.jump)) return state->errors.status == BINSR_JPEG_OK ? BINSR_JPEG_CORRUPT
                                                                                 : state->errors.status;
    jpeg_create_compress(cinfo);
    state->created = 1;
    jpeg_mem_dest(cinfo, &state->out, &state->out_size);
    cinfo->image_width = width;
    cinfo->image_height = height;
    cinfo->input_components = components;
    cinfo->in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality, TRUE);
    if (components == 3 && !subsample_chroma) {
        // jpeg_set_defaults chose 2x2 luma sampling (4:2:0); 1x1 everywhere is 4:4:4.
        cinfo->comp_info[0].h_samp_factor = 1;
        cinfo->comp_info[0].v_samp_factor = 1;
    }
    cinfo->optimize_coding = TRUE;
    jpeg_start_compress(cinfo, TRUE);
    const size_t row_bytes = (size_t)width * (size_t)components;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo->next_scanline * row_bytes);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
    return BINSR_JPEG_OK;
}

binsr_jpeg_status binsr_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int32_t components,
                                    int32_t quality, int32_t subsample_chroma, uint8_t **out, size_t *out_size,
                                    char message[BINSR_JPEG_MESSAGE_LENGTH]) {
    *out = NULL;
    *out_size = 0;
    snprintf(message, BINSR_JPEG_MESSAGE_LENGTH, "%s", "");
    if (pixels == NULL || width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION ||
        (components != 1 && components != 3) || quality < 1 || quality > 100) {
        snprintf(message, BINSR_JPEG_MESSAGE_LENGTH, "invalid JPEG encoder arguments");
        return BINSR_JPEG_INVALID_ARGUMENT;
    }
    encode_state *state = calloc(1, sizeof *state);
    if (state == NULL) return BINSR_JPEG_NO_MEMORY;
    install_errors((j_common_ptr)&state->cinfo, &state->errors, message);
    binsr_jpeg_status status = encode_inner(state, pixels, width, height, components, quality,
                                            subsample_chroma);
    if (state->created) jpeg_destroy_compress(&state->cinfo);
    if (status == BINSR_JPEG_OK) {
        *out = state->out;
        *out_size = state->out_size;
    } else {
        free(state->out);
    }
    free(state);
    return status;
}

void binsr_jpeg_free(void *buffer) { free(buffer); }
