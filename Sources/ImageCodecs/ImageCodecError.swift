/// Why an image could not be read or written. `description` is shown verbatim to HTTP clients, so it names the
/// problem in the caller's terms and never includes memory addresses or library internals beyond a short reason.
public enum ImageCodecError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The bytes are not PNG, JPEG or WebP (checked by signature, not by file name).
    case unsupportedFormat
    /// The data ends before the image is complete.
    case truncated
    /// The data is malformed; the string names the format and the decoder's reason.
    case corrupt(String)
    /// Valid data using a feature this service does not decode (e.g. 12-bit JPEG, animated WebP).
    case unsupported(String)
    /// The header declares more pixels than `DecodeOptions.maxPixels` allows.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// An encoder or decoder option is out of range.
    case invalidParameter(String)
    /// The encoder failed (out of memory or a library error).
    case encodeFailed(String)
    /// A file could not be read from disk.
    case fileUnreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedFormat:
            return "unsupported image format: expected PNG, JPEG or WebP data"
        case .truncated:
            return "truncated image data: the file ends before the image is complete"
        case .corrupt(let reason):
            return "corrupt image data: \(reason)"
        case .unsupported(let reason):
            return "unsupported image: \(reason)"
        case .tooLarge(let width, let height, let limit):
            return "image too large: \(width)x\(height) = \(width * height) pixels exceeds the limit of \(limit)"
        case .invalidParameter(let reason):
            return "invalid parameter: \(reason)"
        case .encodeFailed(let reason):
            return "image encoding failed: \(reason)"
        case .fileUnreadable(let path, let reason):
            return "cannot read image file \(path): \(reason)"
        }
    }
}
