// The image value type lives in Imaging (shared with the engine, which needs no codecs); code that decodes or
// encodes images gets it with the codecs, as it always has.
@_exported import Imaging
