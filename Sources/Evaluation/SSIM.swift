import Foundation

/// How the SSIM statistics are filtered at the image border.
public enum SSIMBorder: String, Sendable, CaseIterable {
    /// Wang et al.'s reference `ssim_index.m` (and `ssim.m` shipped with SR evaluation code): `filter2(..., 'valid')`,
    /// so the map is 10 pixels smaller in each dimension than the image.
    case valid
    /// MATLAB's built-in `ssim` (R2014a+): `imgaussfilt` with 'replicate' padding, a full-size map.
    case replicate
}

/// The normalised 1-D Gaussian of `size` taps; the 11x11 window of `fspecial('gaussian', 11, 1.5)` is its outer
/// product (no tap falls below eps * max, so fspecial's trimming never applies).
func gaussianTaps(size: Int, sigma: Double) -> [Double] {
    let r = Double(size - 1) / 2
    let taps = (0..<size).map { exp(-(Double($0) - r) * (Double($0) - r) / (2 * sigma * sigma)) }
    let sum = taps.reduce(0, +)
    return taps.map { $0 / sum }
}

/// Separable correlation with `taps`; `.valid` shrinks the output, `.replicate` clamps indices (same size).
func gaussianFilter(_ p: Plane, taps: [Double], border: SSIMBorder) -> Plane {
    let n = taps.count
    let r = n / 2
    let outW = border == .valid ? p.width - n + 1 : p.width
    let outH = border == .valid ? p.height - n + 1 : p.height
    let shift = border == .valid ? 0 : -r
    func clampX(_ x: Int) -> Int { min(max(x, 0), p.width - 1) }
    func clampY(_ y: Int) -> Int { min(max(y, 0), p.height - 1) }
    // Horizontal pass over every source row, then vertical.
    var rows = [Double](repeating: 0, count: outW * p.height)
    for y in 0..<p.height {
        for x in 0..<outW {
            var acc = 0.0
            for k in 0..<n { acc += taps[k] * p.values[y * p.width + clampX(x + k + shift)] }
            rows[y * outW + x] = acc
        }
    }
    var out = [Double](repeating: 0, count: outW * outH)
    for y in 0..<outH {
        for k in 0..<n {
            let sy = clampY(y + k + shift)
            for x in 0..<outW { out[y * outW + x] += taps[k] * rows[sy * outW + x] }
        }
    }
    return Plane(validatedWidth: outW, height: outH, values: out)
}

/// Mean structural similarity (Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment:
/// from error visibility to structural similarity", IEEE TIP 2004) of two planes on the 0...255 scale:
/// Gaussian window 11x11, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, the mean of the SSIM map.
public func ssim(_ reference: Plane, _ test: Plane, border: SSIMBorder = .valid) throws(EvaluationError) -> Double {
    guard reference.width == test.width, reference.height == test.height else {
        throw .sizeMismatch("SSIM of \(reference.width)x\(reference.height) vs \(test.width)x\(test.height)")
    }
    guard border == .replicate || (reference.width >= 11 && reference.height >= 11) else {
        throw .imageTooSmall(
            "SSIM with 'valid' filtering needs at least 11x11, got \(reference.width)x\(reference.height)")
    }
    let taps = gaussianTaps(size: 11, sigma: 1.5)
    let c1 = (0.01 * 255) * (0.01 * 255)
    let c2 = (0.03 * 255) * (0.03 * 255)
    let x = reference.values
    let y = test.values
    func filtered(_ v: [Double]) -> [Double] {
        gaussianFilter(
            Plane(validatedWidth: reference.width, height: reference.height, values: v), taps: taps,
            border: border
        ).values
    }
    let mu1 = filtered(x)
    let mu2 = filtered(y)
    let xx = filtered(zip(x, x).map { $0 * $1 })
    let yy = filtered(zip(y, y).map { $0 * $1 })
    let xy = filtered(zip(x, y).map { $0 * $1 })
    var sum = 0.0
    for i in 0..<mu1.count {
        let m1m2 = mu1[i] * mu2[i]
        let m1sq = mu1[i] * mu1[i]
        let m2sq = mu2[i] * mu2[i]
        let s1 = xx[i] - m1sq
        let s2 = yy[i] - m2sq
        let s12 = xy[i] - m1m2
        sum += ((2 * m1m2 + c1) * (2 * s12 + c2)) / ((m1sq + m2sq + c1) * (s1 + s2 + c2))
    }
    return sum / Double(mu1.count)
}
