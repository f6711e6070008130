import ImageCodecs

/// A super-resolution method under evaluation (bicubic, or a network through `binsr eval`).
///
/// Input convention: `lr` is RGB on the **0...1 scale** (MATLAB `im2double`, the scale LapSRN's networks take), in
/// Double. By default it is the unrounded output of `imresize(HR, 1/scale)`, so values may overshoot [0, 1] slightly
/// near edges; with `EvaluationOptions.roundLR` it holds exact multiples of 1/255. Engines that work in Float can use
/// `lr.floatImage()`.
///
/// Output convention: the upscaled image quantised to 8 bits (what would be saved as PNG), exactly
/// `lr.width * scale` x `lr.height * scale` pixels; `quantizeToUInt8` does MATLAB's `im2uint8` for Double or Float
/// results.
public protocol SuperResolutionMethod: Sendable {
    /// The name shown in reports, e.g. "bicubic".
    var name: String { get }
    func upscale(lr: RGBPlanes, scale: Int) throws -> RGB8Image
}

/// The bicubic baseline of every SR table: MATLAB `imresize(LR, scale, 'bicubic')`, then `im2uint8`.
public struct BicubicMethod: SuperResolutionMethod {
    public init() {}

    public var name: String { "bicubic" }

    public func upscale(lr: RGBPlanes, scale: Int) throws -> RGB8Image {
        quantizeToUInt8(try imresize(lr, scale: Double(scale)))
    }
}

extension RGBPlanes {
    /// The planes as an ImageCodecs `Image` (3 Float planes, same 0...1 scale, unclamped), for Float engines.
    public func floatImage() -> Image {
        let color = (red.values + green.values + blue.values).map { Float($0) }
        return Image(width: width, height: height, colorChannels: 3, color: color)
    }

    /// Double planes from a decoded image, as MATLAB's `im2double(imread(...))` sees the file: samples are snapped
    /// back to the source's integer grid (k / 255 for 8-bit, k / 65535 for 16-bit files) so that the Float storage
    /// of `Image` adds no error; grayscale is replicated to RGB (Set14's `bridge`); alpha is ignored, as imread does.
    public init(decoded image: Image) throws(EvaluationError) {
        let rgb = image.rgb()
        let n = rgb.width * rgb.height
        let levels = image.sourceBitDepth == 16 ? 65535.0 : 255.0
        func plane(_ c: Int) throws(EvaluationError) -> Plane {
            try Plane(
                width: rgb.width, height: rgb.height,
                values: rgb.color[c * n..<(c + 1) * n].map { (Double($0) * levels).rounded() / levels })
        }
        try self.init(red: plane(0), green: plane(1), blue: plane(2))
    }
}

/// MATLAB `im2uint8` for a Float image on 0...1 (e.g. a network's output): round half away from zero, clamp.
/// Grayscale images are replicated to RGB.
public func quantizeToUInt8(_ image: Image) -> RGB8Image {
    let rgb = image.rgb()
    let samples = rgb.color.map { v -> UInt8 in
        let scaled = (Double(v) * 255).rounded(.toNearestOrAwayFromZero)
        return scaled.isNaN ? 0 : UInt8(min(255, max(0, scaled)))
    }
    return try! RGB8Image(width: rgb.width, height: rgb.height, samples: samples)
}
