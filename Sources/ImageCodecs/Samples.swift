/// Conversions between stored integer samples and the [0, 1] floats of `Image`.
///
/// Decoding divides by the maximum code value (255 or 65535), so 8- and 16-bit sources round-trip exactly:
/// Float's 24-bit significand represents every k / 65535 closely enough that quantizing it again returns k.

/// `v` in [0, 1] to 0...255: round half away from zero, clamp out-of-range values, NaN -> 0.
public func quantizeToUInt8(_ v: Float) -> UInt8 {
    guard !v.isNaN else { return 0 }
    return UInt8((min(max(v, 0), 1) * 255).rounded(.toNearestOrAwayFromZero))
}

/// `v` in [0, 1] to 0...65535: round half away from zero, clamp out-of-range values, NaN -> 0.
public func quantizeToUInt16(_ v: Float) -> UInt16 {
    guard !v.isNaN else { return 0 }
    return UInt16((min(max(v, 0), 1) * 65535).rounded(.toNearestOrAwayFromZero))
}

/// Splits interleaved samples (`channels` per pixel, the last one alpha when `hasAlpha`) into an `Image`.
func planarImage<T: FixedWidthInteger & UnsignedInteger>(
    interleaved samples: UnsafeBufferPointer<T>, width: Int, height: Int, channels: Int, hasAlpha: Bool,
    sourceBitDepth: Int
) -> Image {
    let colorChannels = hasAlpha ? channels - 1 : channels
    let pixelCount = width * height
    let scale = Float(T.max)
    var color = [Float](repeating: 0, count: colorChannels * pixelCount)
    var alpha: [Float]? = hasAlpha ? [Float](repeating: 0, count: pixelCount) : nil
    color.withUnsafeMutableBufferPointer { color in
        for c in 0..<colorChannels {
            let plane = c * pixelCount
            for i in 0..<pixelCount { color[plane + i] = Float(samples[i * channels + c]) / scale }
        }
    }
    if hasAlpha {
        alpha!.withUnsafeMutableBufferPointer { alpha in
            for i in 0..<pixelCount { alpha[i] = Float(samples[i * channels + channels - 1]) / scale }
        }
    }
    return Image(
        width: width, height: height, colorChannels: colorChannels, color: color, alpha: alpha,
        sourceBitDepth: sourceBitDepth)
}

/// Interleaves an image's planes (colour, then alpha if `includeAlpha`) into quantized samples.
func interleavedSamples<T: FixedWidthInteger & UnsignedInteger>(
    _ image: Image, includeAlpha: Bool, quantize: (Float) -> T
) -> [T] {
    let pixelCount = image.pixelCount
    let colorChannels = image.colorChannels
    let alpha = includeAlpha ? image.alpha : nil
    let channels = colorChannels + (alpha == nil ? 0 : 1)
    var out = [T](repeating: 0, count: pixelCount * channels)
    out.withUnsafeMutableBufferPointer { out in
        image.color.withUnsafeBufferPointer { color in
            for c in 0..<colorChannels {
                let plane = c * pixelCount
                for i in 0..<pixelCount { out[i * channels + c] = quantize(color[plane + i]) }
            }
        }
        if let alpha {
            for i in 0..<pixelCount { out[i * channels + colorChannels] = quantize(alpha[i]) }
        }
    }
    return out
}
