/// Separable bicubic upscaling by an integer factor, used for the alpha plane (which the network does not see).
///
/// Keys' cubic convolution kernel with a = -0.5 (Keys 1981, IEEE TASSP 29(6); the kernel of MATLAB imresize and
/// PIL), half-pixel centres (output x maps to input (x + 0.5) / s - 0.5), edge samples replicated, result clamped to
/// [0, 1] because alpha must stay a valid coverage value.
enum BicubicResize {
    static func keys(_ t: Float) -> Float {
        let x = abs(t)
        if x <= 1 { return (1.5 * x - 2.5) * x * x + 1 }
        if x < 2 { return ((-0.5 * x + 2.5) * x - 4) * x + 2 }
        return 0
    }

    /// For each output index: the 4 input taps (clamped) and their weights.
    static func taps(input: Int, scale: Int) -> [(index: [Int], weight: [Float])] {
        (0..<input * scale).map { out in
            let centre = (Float(out) + 0.5) / Float(scale) - 0.5
            let base = Int(centre.rounded(.down))
            let offsets = (-1...2).map { base + $0 }
            return (offsets.map { min(max($0, 0), input - 1) }, offsets.map { keys(centre - Float($0)) })
        }
    }

    static func upscale(_ plane: [Float], width: Int, height: Int, scale: Int) -> [Float] {
        let (ow, oh) = (width * scale, height * scale)
        let columns = taps(input: width, scale: scale)
        let rows = taps(input: height, scale: scale)
        var horizontal = [Float](repeating: 0, count: ow * height)
        for y in 0..<height {
            for x in 0..<ow {
                var sum: Float = 0
                for k in 0..<4 { sum += columns[x].weight[k] * plane[y * width + columns[x].index[k]] }
                horizontal[y * ow + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: ow * oh)
        for y in 0..<oh {
            for x in 0..<ow {
                var sum: Float = 0
                for k in 0..<4 { sum += rows[y].weight[k] * horizontal[rows[y].index[k] * ow + x] }
                out[y * ow + x] = min(max(sum, 0), 1)
            }
        }
        return out
    }
}
