// The parts of matlabPyrTools (E. P. Simoncelli, LCV NYU) that ifcvec.m relies on: `corrDn` with 'reflect1' edges
// (MEX/corrDn.c -> convolve.c internal_reduce, MEX/edges.c reflect1) and `buildSpyr` / `buildSpyrLevs`.

/// A square correlation kernel, row-major, odd size (origin at the centre, MATLAB's floor(size / 2) + 1).
struct Kernel {
    let size: Int
    let taps: [Double]

    init(size: Int, taps: [Double]) {
        precondition(size % 2 == 1 && taps.count == size * size, "kernel must be odd and square")
        self.size = size
        self.taps = taps
    }

    /// An all-ones box of the given odd size, the `win = ones(winsize)` of distsub_est_M.m.
    static func box(_ size: Int) -> Kernel { Kernel(size: size, taps: [Double](repeating: 1, count: size * size)) }
}

/// Reflect1 index mapping: mirror about the edge sample without repeating it (-1 -> 1, n -> n - 2).
/// edges.c folds the kernel instead of the image, which is the same sum while the overhang is shorter than the
/// image; `corrDn` requires the image to be larger than the kernel, so one reflection always suffices.
@inline(__always) func reflect1(_ i: Int, _ n: Int) -> Int {
    if i < 0 { return -i }
    if i >= n { return 2 * (n - 1) - i }
    return i
}

/// `corrDn(im, filt, 'reflect1', step, start, stop)`: correlation (not convolution) of `plane` with `kernel`,
/// evaluated at rows start.y, start.y + step, ... <= stop.y (0-based, inclusive) and likewise for columns.
func corrDn(
    _ plane: Plane, _ kernel: Kernel, step: Int = 1, start: (x: Int, y: Int) = (0, 0),
    stop: (x: Int, y: Int)? = nil
) throws(EvaluationError) -> Plane {
    guard plane.width > kernel.size, plane.height > kernel.size else {
        throw .imageTooSmall(
            "corrDn needs an image larger than its \(kernel.size)x\(kernel.size) filter, "
                + "got \(plane.width)x\(plane.height)")
    }
    let last = stop ?? (plane.width - 1, plane.height - 1)
    let outW = (last.x - start.x) / step + 1
    let outH = (last.y - start.y) / step + 1
    let w = plane.width
    let h = plane.height
    let r = kernel.size / 2
    let k = kernel.size
    var out = [Double](repeating: 0, count: outW * outH)
    plane.values.withUnsafeBufferPointer { src in
        kernel.taps.withUnsafeBufferPointer { taps in
            for oy in 0..<outH {
                let cy = start.y + oy * step
                for ox in 0..<outW {
                    let cx = start.x + ox * step
                    var acc = 0.0
                    if cx >= r, cx + r < w, cy >= r, cy + r < h {
                        // Interior: no reflection needed.
                        for ky in 0..<k {
                            let row = (cy - r + ky) * w + cx - r
                            for kx in 0..<k { acc += taps[ky * k + kx] * src[row + kx] }
                        }
                    } else {
                        for ky in 0..<k {
                            let row = reflect1(cy - r + ky, h) * w
                            for kx in 0..<k { acc += taps[ky * k + kx] * src[row + reflect1(cx - r + kx, w)] }
                        }
                    }
                    out[oy * outW + ox] = acc
                }
            }
        }
    }
    return Plane(validatedWidth: outW, height: outH, values: out)
}

/// The orientation subbands of a steerable pyramid built as `buildSpyr(im, levels, 'sp5Filters', 'reflect1')`.
struct SteerablePyramid {
    /// `bands[level][orientation]`, level 0 finest; only the orientations requested are computed (nil otherwise).
    let bands: [[Plane?]]

    /// `maxPyrHt(size(im), size(lofilt, 1))` of matlabPyrTools: the number of levels the image supports.
    static func maximumLevels(width: Int, height: Int, filterSize: Int = 9) -> Int {
        var (w, h, levels) = (width, height, 0)
        while w >= filterSize, h >= filterSize {
            levels += 1
            w /= 2
            h /= 2
        }
        return levels
    }

    /// buildSpyr.m: lo0 = corrDn(im, lo0filt); then per level the oriented bands corrDn(lo, bfilt) and the next
    /// low-pass corrDn(lo, lofilt, [2 2], [1 1]). Subbands not in `orientations` (0-based) are skipped: ifcvec.m
    /// never reads them, and nothing computed later depends on them.
    init(_ image: Plane, levels: Int, orientations: [Int]) throws(EvaluationError) {
        let maximum = Self.maximumLevels(width: image.width, height: image.height)
        guard levels <= maximum else {
            throw .imageTooSmall(
                "a \(levels)-level steerable pyramid needs a larger image than "
                    + "\(image.width)x\(image.height) (at most \(maximum) levels)")
        }
        var lo = try corrDn(image, Kernel(size: 5, taps: SP5Filters.lo0))
        var all: [[Plane?]] = []
        for level in 0..<levels {
            var bandsHere = [Plane?](repeating: nil, count: SP5Filters.bands.count)
            for o in orientations { bandsHere[o] = try corrDn(lo, Kernel(size: 7, taps: SP5Filters.bands[o])) }
            all.append(bandsHere)
            if level + 1 < levels { lo = try corrDn(lo, Kernel(size: 9, taps: SP5Filters.lo), step: 2) }
        }
        bands = all
    }
}
