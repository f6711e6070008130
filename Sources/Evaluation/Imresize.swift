// MATLAB-compatible bicubic `imresize` (Image Processing Toolbox, imresize.m), the resampler of every SR paper that
// follows SRCNN/LapSRN: LR = imresize(HR, 1/s, 'bicubic'), bicubic baseline = imresize(LR, s, 'bicubic').
//
// Conventions, each as in imresize.m (see docs/evaluation.md):
//  - kernel: Keys cubic convolution with a = -0.5 (`cubic` in imresize.m), support width 4;
//  - antialiasing when downscaling: h(x) = s * cubic(s * x) and width 4 / s (`contributions`);
//  - coordinate mapping u = x / s + 0.5 * (1 - 1 / s) for 1-based output index x;
//  - P = ceil(width) + 2 taps from left = floor(u - width / 2), weights normalised to sum 1;
//  - borders: symmetric index mirroring aux = [1:n, n:-1:1] (the edge sample is repeated);
//  - output size ceil(n * s); the dimension with the smaller scale is resized first, rows (height) on a tie.

/// The Keys cubic kernel with a = -0.5 (R. Keys, "Cubic convolution interpolation for digital image processing",
/// IEEE TASSP 1981), exactly as `cubic` in imresize.m.
func keysCubic(_ x: Double) -> Double {
    let ax = abs(x)
    let ax2 = ax * ax
    let ax3 = ax2 * ax
    if ax <= 1 { return 1.5 * ax3 - 2.5 * ax2 + 1 }
    if ax <= 2 { return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 }
    return 0
}

/// For each output sample, the input indices (0-based, already mirrored) and normalised weights.
struct ResizeContributions {
    let taps: Int
    /// `outLength * taps` entries each.
    let indices: [Int]
    let weights: [Double]
}

/// Port of `contributions` in imresize.m (kernel cubic, width 4, antialiasing on).
func resizeContributions(inLength: Int, outLength: Int, scale: Double) -> ResizeContributions {
    let downscaling = scale < 1
    let kernelWidth = downscaling ? 4 / scale : 4
    let taps = Int(kernelWidth.rounded(.up)) + 2
    // aux = [1:n, n:-1:1] in 0-based form: index i maps to aux[i mod 2n].
    let period = 2 * inLength
    var indices = [Int](repeating: 0, count: outLength * taps)
    var weights = [Double](repeating: 0, count: outLength * taps)
    for out in 0..<outLength {
        let x = Double(out + 1)
        let u = x / scale + 0.5 * (1 - 1 / scale)
        let left = Int((u - kernelWidth / 2).rounded(.down))
        var sum = 0.0
        for k in 0..<taps {
            let index1 = left + k  // 1-based, possibly outside 1...n
            let d = u - Double(index1)
            let w = downscaling ? scale * keysCubic(scale * d) : keysCubic(d)
            weights[out * taps + k] = w
            sum += w
            let m = ((index1 - 1) % period + period) % period
            indices[out * taps + k] = m < inLength ? m : period - 1 - m
        }
        for k in 0..<taps { weights[out * taps + k] /= sum }
    }
    return ResizeContributions(taps: taps, indices: indices, weights: weights)
}

/// Output length for a scale factor, MATLAB's `ceil(scale * input_size)`.
func resizedLength(_ length: Int, scale: Double) -> Int {
    Int((Double(length) * scale).rounded(.up))
}

/// Resizes along one axis (`vertical` true: columns are filtered, height changes), as `resizeAlongDim`.
/// Zero-weight taps are kept: they add exactly 0.0, so dropping them (MATLAB's `kill`) cannot change a sum.
func resizeAlongAxis(_ plane: Plane, vertical: Bool, scale: Double) -> Plane {
    let inLength = vertical ? plane.height : plane.width
    let outLength = resizedLength(inLength, scale: scale)
    let c = resizeContributions(inLength: inLength, outLength: outLength, scale: scale)
    let outW = vertical ? plane.width : outLength
    let outH = vertical ? outLength : plane.height
    var out = [Double](repeating: 0, count: outW * outH)
    let w = plane.width
    plane.values.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            if vertical {
                for y in 0..<outH {
                    for k in 0..<c.taps {
                        let weight = c.weights[y * c.taps + k]
                        let row = c.indices[y * c.taps + k] * w
                        for x in 0..<w { dst[y * w + x] += weight * src[row + x] }
                    }
                }
            } else {
                for y in 0..<outH {
                    for x in 0..<outW {
                        var acc = 0.0
                        for k in 0..<c.taps {
                            acc += c.weights[x * c.taps + k] * src[y * w + c.indices[x * c.taps + k]]
                        }
                        dst[y * outW + x] = acc
                    }
                }
            }
        }
    }
    return Plane(validatedWidth: outW, height: outH, values: out)
}

/// MATLAB `imresize(plane, scale, 'bicubic')` on a double image (no rounding, values may leave [0, 1]).
/// Both dimensions use the same scale, so rows (the vertical axis, MATLAB dimension 1) are resized first.
public func imresize(_ plane: Plane, scale: Double) throws(EvaluationError) -> Plane {
    guard scale.isFinite, scale > 0 else { throw .invalidScale("resize scale must be positive, got \(scale)") }
    guard resizedLength(plane.width, scale: scale) > 0, resizedLength(plane.height, scale: scale) > 0 else {
        throw .imageTooSmall("\(plane.width)x\(plane.height) resized by \(scale) is empty")
    }
    return resizeAlongAxis(resizeAlongAxis(plane, vertical: true, scale: scale), vertical: false, scale: scale)
}

/// `imresize` applied to each channel of an RGB image (MATLAB resizes the channels independently).
public func imresize(_ image: RGBPlanes, scale: Double) throws(EvaluationError) -> RGBPlanes {
    try image.mapPlanes { (p: Plane) throws(EvaluationError) -> Plane in try imresize(p, scale: scale) }
}
