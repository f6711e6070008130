/// MATLAB `imresize(x, s, 'bicubic')` for integer upscaling in Float, fast: the service's bicubic baseline (viewer,
/// `model=bicubic`) and the engine's alpha plane. Keys (1981) cubic with a = -0.5, sample position
/// u = x/s + (1 - 1/s)/2 in 1-based MATLAB coordinates, mirrored borders, one pass per axis, clamped to [0, 1];
/// no uint8 rounding between the passes. `imresize` (Double, any scale, antialiased downscaling) is the evaluation
/// protocol's version; the two agree to Float precision (EvaluationTests).
public enum BicubicUpscale {
    /// Every plane (colour and alpha) resized along the height, then the width, clamped to [0, 1].
    public static func upscale(_ image: Image, scale: Int) -> Image {
        let rows = weights(inputLength: image.height, scale: scale)
        let columns = weights(inputLength: image.width, scale: scale)
        let width = image.width
        let outHeight = image.height * scale
        let outWidth = width * scale
        let taps = Taps.count
        // Flat tap tables and buffer pointers: without them the debug build spends most of its time in bounds
        // checks and tuple arrays (~1 s a plane at 512x512).
        func resize(_ plane: ArraySlice<Float>) -> [Float] {
            var tall = [Float](repeating: 0, count: outHeight * width)
            plane.withUnsafeBufferPointer { source in
                tall.withUnsafeMutableBufferPointer { tall in
                    for y in 0..<outHeight {
                        for tap in (y * taps)..<((y + 1) * taps) {
                            let weight = rows.weights[tap]
                            let row = rows.indices[tap] * width
                            for x in 0..<width { tall[y * width + x] += weight * source[row + x] }
                        }
                    }
                }
            }
            var out = [Float](repeating: 0, count: outHeight * outWidth)
            tall.withUnsafeBufferPointer { tall in
                columns.weights.withUnsafeBufferPointer { weights in
                    columns.indices.withUnsafeBufferPointer { indices in
                        out.withUnsafeMutableBufferPointer { out in
                            for y in 0..<outHeight {
                                for x in 0..<outWidth {
                                    var sum: Float = 0
                                    for tap in (x * taps)..<((x + 1) * taps) {
                                        sum += weights[tap] * tall[y * width + indices[tap]]
                                    }
                                    out[y * outWidth + x] = min(1, max(0, sum))
                                }
                            }
                        }
                    }
                }
            }
            return out
        }
        let count = image.pixelCount
        var color: [Float] = []
        for channel in 0..<image.colorChannels {
            color += resize(image.color[(channel * count)..<((channel + 1) * count)])
        }
        return Image(
            width: image.width * scale, height: image.height * scale, colorChannels: image.colorChannels,
            color: color, alpha: image.alpha.map { resize($0[...]) }, sourceBitDepth: image.sourceBitDepth)
    }

    /// MATLAB's `contributions` (imresize.m) for an upscale, flattened: output index i uses input rows or columns
    /// `indices[i * count ..< (i + 1) * count]` with the matching `weights` (kernel width 4, six taps, weights
    /// normalised to sum 1, indices mirrored at the borders; taps outside the kernel keep weight 0).
    struct Taps {
        static let count = 6
        var indices: [Int] = []
        var weights: [Float] = []
    }

    static func weights(inputLength: Int, scale: Int) -> Taps {
        let s = Double(scale)
        var result = Taps()
        for x in 1...(inputLength * scale) {
            let u = Double(x) / s + 0.5 * (1 - 1 / s)
            let left = Int((u - 2).rounded(.down))
            let raw = (0..<Taps.count).map { cubic(u - Double(left + $0)) }
            let total = raw.reduce(0, +)
            for offset in 0..<Taps.count {
                result.indices.append(mirror(left + offset, length: inputLength))
                result.weights.append(Float(raw[offset] / total))
            }
        }
        return result
    }

    /// MATLAB's `aux = [1:n, n:-1:1]; aux(mod(k - 1, 2n) + 1)`, returned 0-based.
    static func mirror(_ oneBased: Int, length n: Int) -> Int {
        let k = ((oneBased - 1) % (2 * n) + 2 * n) % (2 * n)
        return k < n ? k : 2 * n - 1 - k
    }

    /// Keys (1981) cubic convolution kernel with a = -0.5, as in MATLAB's imresize.
    static func cubic(_ x: Double) -> Double {
        let t = abs(x)
        if t <= 1 { return 1.5 * t * t * t - 2.5 * t * t + 1 }
        if t <= 2 { return -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2 }
        return 0
    }

    /// One plane `[height][width]` (row-major) upscaled by `scale`, clamped to [0, 1].
    public static func upscale(_ plane: [Float], width: Int, height: Int, scale: Int) -> [Float] {
        let image = Image(width: width, height: height, colorChannels: 1, color: plane, alpha: nil, sourceBitDepth: 8)
        return upscale(image, scale: scale).color
    }
}
