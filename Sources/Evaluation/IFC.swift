import Foundation

// Information Fidelity Criterion: H. R. Sheikh, A. C. Bovik, G. de Veciana, "An information fidelity criterion for
// image quality assessment using natural scene statistics", IEEE TIP 14(12), 2005. A port of LIVE's `ifcvec.m`
// (with distsub_est_M.m, refparams_vecgsm.m, ind2wtree) as shipped in LapSRN's utils/IFC/, the code that produced
// the IFC columns of LapSRN and of the papers that copy its tables. Constants are those of ifcvec.m: 3x3 GSM vectors,
// subbands [4 7 10 13 16 19 22 25] of a 4-level sp5Filters steerable pyramid, eigenvalue sum over all 9
// eigenvalues, 1e-10 added to the error variance. (ifcvec.m has no sigma_nsq; that parameter (0.4) is VIF's.)

/// Block size M of the GSM vectors (ifcvec.m: `M=3`).
private let blockSize = 3

/// `subbands=[4 7 10 13 16 19 22 25]`, indices into ind2wtree's reversed list of the 26 pyramid subbands
/// (1 = low-pass residual, then the coarsest level's bands 6...1, ..., 26 = high-pass residual).
private let ifcSubbands = [4, 7, 10, 13, 16, 19, 22, 25]

/// Pyramid level (0 = finest) and orientation (0-based) of ind2wtree subband `sub` for a 4-level sp5 pyramid.
private func pyramidPosition(ofSubband sub: Int, levels: Int = 4) -> (level: Int, orientation: Int) {
    let index = sub - 2  // skip the low-pass residual; 0 = coarsest level, orientation 6
    return (levels - 1 - index / 6, 5 - index % 6)
}

/// Regression parameters g and error variance vv of the distortion channel on 3x3-strided windows
/// (distsub_est_M.m, tol = 1e-15).
private func distortionChannel(_ yIn: Plane, _ ynIn: Plane, windowSize: Int) throws(EvaluationError)
    -> (g: [Double], vv: [Double], width: Int, height: Int)
{
    let tol = 1e-15
    let w = yIn.width / blockSize * blockSize
    let h = yIn.height / blockSize * blockSize
    let y = try yIn.cropped(x: 0, y: 0, width: w, height: h)
    let yn = try ynIn.cropped(x: 0, y: 0, width: w, height: h)
    // winstart = floor(M/2)+1, winstop = size - ceil(M/2) + 1, both 1-based.
    let start = (x: blockSize / 2, y: blockSize / 2)
    let stop = (x: w - (blockSize + 1) / 2, y: h - (blockSize + 1) / 2)
    let n = Double(windowSize * windowSize)
    let box = Kernel.box(windowSize)
    let mean = Kernel(size: windowSize, taps: box.taps.map { $0 / n })
    func window(_ p: Plane, _ k: Kernel) throws(EvaluationError) -> [Double] {
        try corrDn(p, k, step: blockSize, start: start, stop: stop).values
    }
    func product(_ a: Plane, _ b: Plane) -> Plane {
        Plane(validatedWidth: w, height: h, values: zip(a.values, b.values).map { $0 * $1 })
    }
    let meanX = try window(y, mean)
    let meanY = try window(yn, mean)
    let sumXY = try window(product(y, yn), box)
    let sumXX = try window(product(y, y), box)
    let sumYY = try window(product(yn, yn), box)
    var g = [Double](repeating: 0, count: meanX.count)
    var vv = g
    for i in 0..<meanX.count {
        let cov = sumXY[i] - n * meanX[i] * meanY[i]
        var ssX = sumXX[i] - n * (meanX[i] * meanX[i])
        var ssY = sumYY[i] - n * (meanY[i] * meanY[i])
        if ssX < 0 { ssX = 0 }
        if ssY < 0 { ssY = 0 }
        var gi = cov / (ssX + tol)
        var vi = (ssY - gi * cov) / n
        if ssX < tol {
            gi = 0
            vi = ssY  // sic: ss_y, not ss_y / N, as distsub_est_M.m writes it
        }
        if ssY < tol {
            gi = 0
            vi = 0
        }
        if gi < 0 {
            vi = ssY
            gi = 0
        }
        if vi <= tol { vi = tol }
        g[i] = gi
        vv[i] = vi
    }
    return (g, vv, w / blockSize, h / blockSize)
}

/// The GSM parameters of a reference subband (refparams_vecgsm.m): the S field of non-overlapping 3x3 blocks and the
/// eigenvalues of the covariance of all overlapping 3x3 blocks.
private func referenceParameters(_ yIn: Plane) throws(EvaluationError) -> (ss: [Double], eigenvalues: [Double]) {
    let m = blockSize
    let w = yIn.width / m * m
    let h = yIn.height / m * m
    let y = try yIn.cropped(x: 0, y: 0, width: w, height: h).values
    let dims = m * m
    // Vector element (j * M + k) is the pixel at row offset k, column offset j (MATLAB's loop order).
    let offsets = (0..<dims).map { (dy: $0 % m, dx: $0 / m) }
    let count = (w - m + 1) * (h - m + 1)
    var mean = [Double](repeating: 0, count: dims)
    for (d, o) in offsets.enumerated() {
        var s = 0.0
        for r in 0...(h - m) { for c in 0...(w - m) { s += y[(r + o.dy) * w + c + o.dx] } }
        mean[d] = s / Double(count)
    }
    var cov = SquareMatrix(n: dims, values: [Double](repeating: 0, count: dims * dims))
    var v = [Double](repeating: 0, count: dims)
    for r in 0...(h - m) {
        for c in 0...(w - m) {
            for d in 0..<dims { v[d] = y[(r + offsets[d].dy) * w + c + offsets[d].dx] - mean[d] }
            for i in 0..<dims { for j in i..<dims { cov.a[i * dims + j] += v[i] * v[j] } }
        }
    }
    for i in 0..<dims {
        for j in i..<dims {
            cov[i, j] /= Double(count)
            cov[j, i] = cov[i, j]
        }
    }
    let inv = cov.inverse()
    var ss = [Double](repeating: 0, count: (w / m) * (h / m))
    for br in 0..<(h / m) {
        for bc in 0..<(w / m) {
            for d in 0..<dims { v[d] = y[(br * m + offsets[d].dy) * w + bc * m + offsets[d].dx] }
            var q = 0.0
            for i in 0..<dims {
                var row = 0.0
                for j in 0..<dims { row += inv[i, j] * v[j] }
                q += row * v[i]
            }
            ss[br * (w / m) + bc] = q / Double(dims)
        }
    }
    return (ss, cov.symmetricEigenvalues())
}

/// IFC of `distorted` against `reference`, as `ifcvec(reference, distorted)` (the order matters).
///
/// The value depends slightly on the intensity scale through the 1e-10 / 1e-15 tolerances; LapSRN calls ifcvec on
/// the luma of MATLAB's `rgb2ycbcr` for double images, which is on the 0...1 scale. `DatasetEvaluator` does the
/// same (it passes `rgbToY(...) / 255`). Returns 0 where MATLAB's result would be complex (a negative argument to
/// log2), which is what LapSRN's evaluation records (`if ~isreal(IFC) IFC = 0`).
/// NaN when a reference subband has a singular covariance (e.g. a flat image), as MATLAB's `inv` makes it.
public func ifc(_ reference: Plane, _ distorted: Plane) throws(EvaluationError) -> Double {
    guard reference.width == distorted.width, reference.height == distorted.height else {
        throw .sizeMismatch("IFC of \(reference.width)x\(reference.height) vs \(distorted.width)x\(distorted.height)")
    }
    let levels = 4
    let orientations = Array(Set(ifcSubbands.map { pyramidPosition(ofSubband: $0).orientation })).sorted()
    let org = try SteerablePyramid(reference, levels: levels, orientations: orientations)
    let dist = try SteerablePyramid(distorted, levels: levels, orientations: orientations)
    var total = 0.0
    for sub in ifcSubbands {
        let position = pyramidPosition(ofSubband: sub)
        guard let y = org.bands[position.level][position.orientation],
            let yn = dist.bands[position.level][position.orientation]
        else { preconditionFailure("subband \(sub) was not computed") }
        let lev = (sub - 1 + 5) / 6  // ceil((sub-1)/6)
        let windowSize = (1 << lev) + 1
        let channel = try distortionChannel(y, yn, windowSize: windowSize)
        let gsm = try referenceParameters(y)
        // Drop the windows that may see the subband border: ceil(((winsize-1)/2)/M).
        let offset = ((windowSize - 1) / 2 + blockSize - 1) / blockSize
        var subbandSum = 0.0
        for lambda in gsm.eigenvalues {
            for r in offset..<(channel.height - offset) {
                for c in offset..<(channel.width - offset) {
                    let i = r * channel.width + c
                    let g = channel.g[i]
                    let argument = 1 + g * g * gsm.ss[i] * lambda / (channel.vv[i] + 1e-10)
                    if argument < 0 { return 0 }
                    subbandSum += log2(argument)
                }
            }
        }
        total += subbandSum
    }
    return total / Double(reference.width * reference.height)
}
