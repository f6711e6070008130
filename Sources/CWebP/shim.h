// libwebp's simple and advanced decode/encode API (decode.h, encode.h). No demux.h: animated files are refused
// from the WebPGetFeatures flags, so the frame-level API is not needed.
#include <webp/decode.h>
#include <webp/encode.h>
