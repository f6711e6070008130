import Foundation

/// What a file's header says, read without decoding pixels.
public struct ImageHeader: Sendable, Equatable {
    /// Width and height as `decodeImage` returns them (JPEG: after the EXIF orientation is applied).
    public var width: Int
    public var height: Int
    public var format: ImageFormat

    public init(width: Int, height: Int, format: ImageFormat) {
        self.width = width
        self.height = height
        self.format = format
    }
}

/// Reads dimensions and format only; cheap, and safe on untrusted data.
public func readImageHeader(_ bytes: [UInt8]) throws(ImageCodecError) -> ImageHeader {
    switch ImageFormat.detect(bytes) {
    case .png:
        let header = try PNGCodec.readHeader(bytes)
        return ImageHeader(width: header.width, height: header.height, format: .png)
    case .jpeg:
        let header = try JPEGCodec.readHeader(bytes, applyOrientation: true)
        return ImageHeader(width: header.orientedWidth, height: header.orientedHeight, format: .jpeg)
    case .webp:
        let header = try WebPCodec.readHeader(bytes)
        return ImageHeader(width: header.width, height: header.height, format: .webp)
    case nil:
        throw .unsupportedFormat
    }
}

/// Decodes PNG, JPEG or WebP bytes (chosen by signature) into a planar float image.
///
/// Throws `tooLarge` before allocating pixels when the header exceeds `options.maxPixels`; never traps on
/// malformed input.
public func decodeImage(_ bytes: [UInt8], options: DecodeOptions = .init()) throws(ImageCodecError) -> Image {
    guard let format = ImageFormat.detect(bytes) else { throw .unsupportedFormat }
    return try decodeImage(bytes, as: format, options: options)
}

/// Decodes bytes whose signature the caller has already read (`ImageFormat.detect`), so it is not read twice. Each
/// decoder still reads its own header and throws on data of another format.
public func decodeImage(_ bytes: [UInt8], as format: ImageFormat, options: DecodeOptions = .init())
    throws(ImageCodecError) -> Image
{
    switch format {
    case .png: try PNGCodec.decode(bytes, options: options)
    case .jpeg: try JPEGCodec.decode(bytes, options: options)
    case .webp: try WebPCodec.decode(bytes, options: options)
    }
}

/// Reads and decodes a file. Files larger than 1 GiB are refused before reading (no image within the pixel
/// limit needs that many compressed bytes).
public func decodeImage(contentsOf url: URL, options: DecodeOptions = .init()) throws(ImageCodecError) -> Image {
    let maxFileBytes = 1 << 30
    let data: Data
    do {
        let size = try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
        if size > maxFileBytes { throw ImageCodecError.unsupported("file is larger than 1 GiB") }
        data = try Data(contentsOf: url)
    } catch let error as ImageCodecError {
        throw error
    } catch {
        throw .fileUnreadable(path: url.path, reason: error.localizedDescription)
    }
    return try decodeImage([UInt8](data), options: options)
}

/// Encodes as PNG: 1 or 3 colour channels plus alpha when present, 8 or 16 bits, no gamma/colour chunks.
public func encodePNG(_ image: Image, options: PNGOptions = .init()) throws(ImageCodecError) -> [UInt8] {
    try PNGCodec.encode(image, options: options)
}

/// Encodes as baseline JPEG (4:2:0 for colour, single channel for gray).
///
/// JPEG has no alpha, so a transparent image is composited over white first: the colour under fully transparent
/// pixels is arbitrary (often black), and dropping alpha would show it; white is what viewers and most tools
/// (ImageMagick `-flatten`, browsers' "save as JPEG") produce.
public func encodeJPEG(_ image: Image, options: JPEGOptions = .init()) throws(ImageCodecError) -> [UInt8] {
    try JPEGCodec.encode(image, options: options)
}

/// Encodes as WebP: lossy VP8 at `options.quality`, or lossless VP8L; alpha is kept in both (losslessly).
/// Gray is written as RGB, since WebP has no grayscale mode.
public func encodeWebP(_ image: Image, options: WebPOptions = .init()) throws(ImageCodecError) -> [UInt8] {
    try WebPCodec.encode(image, options: options)
}
