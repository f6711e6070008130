// Pixel conventions of LapSRN's evaluation (evaluate_LapSRN_dataset.m / utils/evaluate_SR.m,
// github.com/phoenix104104/LapSRN): mod-crop, im2uint8 quantisation, rgb2ycbcr luma, border shave.

/// MATLAB `im2uint8` on a double image in [0, 1]: round(255 x), half away from zero, clamped to 0...255.
public func quantizeToUInt8(_ image: RGBPlanes) -> RGB8Image {
    let n = image.width * image.height
    var samples = [UInt8](repeating: 0, count: 3 * n)
    for (c, plane) in image.planes.enumerated() {
        for i in 0..<n {
            let v = plane.values[i]
            // NaN maps to 0, as MATLAB's saturating cast does.
            let scaled = (v * 255).rounded(.toNearestOrAwayFromZero)
            samples[c * n + i] = scaled.isNaN ? 0 : UInt8(min(255, max(0, scaled)))
        }
    }
    return try! RGB8Image(width: image.width, height: image.height, samples: samples)
}

/// Luma of MATLAB `rgb2ycbcr` (ITU-R BT.601, studio swing) for a double RGB image on 0...1, returned on the
/// 0...255 scale and not rounded: Y = 16 + 65.481 R + 128.553 G + 24.966 B.
///
/// MATLAB itself returns this divided by 255 for double input (coefficients T / 255, offset 16 / 255); PSNR and SSIM
/// are invariant to that common factor, and `ifc` is given the 0...1 values exactly as LapSRN does (see IFC.swift).
public func rgbToY(_ image: RGBPlanes) -> Plane {
    let r = image.red.values
    let g = image.green.values
    let b = image.blue.values
    var y = [Double](repeating: 0, count: r.count)
    for i in 0..<r.count { y[i] = 16 + 65.481 * r[i] + 128.553 * g[i] + 24.966 * b[i] }
    return Plane(validatedWidth: image.width, height: image.height, values: y)
}

/// LapSRN `mod_crop`: keeps the top-left `floor(w / s) * s` x `floor(h / s) * s` pixels.
public func modCrop(_ image: RGBPlanes, scale: Int) throws(EvaluationError) -> RGBPlanes {
    guard scale >= 1 else { throw .invalidScale("mod-crop scale must be >= 1, got \(scale)") }
    let w = image.width / scale * scale
    let h = image.height / scale * scale
    guard w > 0, h > 0 else {
        throw .imageTooSmall("\(image.width)x\(image.height) is smaller than the scale \(scale)")
    }
    return try image.mapPlanes { (p: Plane) throws(EvaluationError) -> Plane in
        try p.cropped(x: 0, y: 0, width: w, height: h)
    }
}

/// LapSRN `shave_bd`: removes `border` pixels from every side.
public func shaveBorder(_ plane: Plane, border: Int) throws(EvaluationError) -> Plane {
    guard border >= 0 else { throw .invalidScale("border must be >= 0, got \(border)") }
    return try plane.cropped(x: border, y: border, width: plane.width - 2 * border, height: plane.height - 2 * border)
}
