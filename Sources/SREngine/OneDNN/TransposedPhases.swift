/// LapSRN's ConvTranspose2d(k=4, s=2, p=1) split by output parity, as ordinary convolutions at the input's size.
///
/// Output row oy = 2 iy - 1 + ky, so row 2m + dy receives input rows m - 1 and m through taps ky = 3 and 1 (dy = 0),
/// or rows m and m + 1 through ky = 2 and 0 (dy = 1); columns likewise. Each parity (dy, dx) is thus a 2x2 conv
/// with leading padding (1 - dy, 1 - dx), the minimum arithmetic (16 taps per input pixel in all, like the
/// transposed conv). oneDNN 2.6's own deconvolution ran at under 1 GMAC/s on NHWC (64 -> 64 at 128x128: 1.26 s,
/// ONEDNN_VERBOSE, one thread), 4x slower than PyTorch for the whole LapSRN; these convs run at full speed.
enum TransposedPhases {
    /// Taps of the 4x4 kernel read by a parity's 2x2 conv, per parity (window position 0, 1).
    static let taps2 = [[3, 1], [2, 0]]
    /// The same taps placed in a 3x3 "same" window (input offsets -1, 0, +1), zero where unused.
    static let taps3: [[Int?]] = [[3, 1, nil], [nil, 2, 0]]

    /// The 2x2 conv computing output parity (dy, dx), with the leading padding it needs.
    static func parity(_ layer: TransposedConvLayer, dy: Int, dx: Int)
        -> (layer: ConvLayer, padding: (top: Int, left: Int))
    {
        let (cin, cout) = (layer.inChannels, layer.outChannels)
        var weights = [Float](repeating: 0, count: cout * cin * 4)
        for o in 0..<cout {
            for i in 0..<cin {
                for a in 0..<2 {
                    for b in 0..<2 {
                        weights[((o * cin + i) * 2 + a) * 2 + b] =
                            layer.weights[((i * cout + o) * 4 + taps2[dy][a]) * 4 + taps2[dx][b]]
                    }
                }
            }
        }
        let conv = ConvLayer(
            name: "\(layer.name)#\(dy)\(dx)", inChannels: cin, outChannels: cout, kernel: 2,
            weights: .real(weights), bias: layer.bias)
        return (conv, (1 - dy, 1 - dx))
    }

    /// All four parities as one 3x3 conv with output channels `(2 dy + dx) * n + o` (`depthToSpace2`'s order):
    /// for the narrow image branch (3 -> 3), where one conv of 12 outputs beats four of 3.
    static func stacked(_ layer: TransposedConvLayer) -> ConvLayer {
        let (cin, n) = (layer.inChannels, layer.outChannels)
        var weights = [Float](repeating: 0, count: 4 * n * cin * 9)
        for dy in 0..<2 {
            for dx in 0..<2 {
                for o in 0..<n {
                    let row = (2 * dy + dx) * n + o
                    for i in 0..<cin {
                        for a in 0..<3 {
                            guard let ky = taps3[dy][a] else { continue }
                            for b in 0..<3 {
                                guard let kx = taps3[dx][b] else { continue }
                                weights[((row * cin + i) * 3 + a) * 3 + b] =
                                    layer.weights[((i * n + o) * 4 + ky) * 4 + kx]
                            }
                        }
                    }
                }
            }
        }
        return ConvLayer(
            name: "\(layer.name)#stacked", inChannels: cin, outChannels: 4 * n, kernel: 3,
            weights: .real(weights), bias: (0..<4).flatMap { _ in layer.bias })
    }
}

extension OneDNNBackend {
    func transposedConv(_ x: FeatureMap, _ layer: TransposedConvLayer, prelu: PReLULayer?) throws -> FeatureMap {
        let out = FeatureMap(channels: layer.outChannels, height: 2 * x.height, width: 2 * x.width)
        for dy in 0..<2 {
            for dx in 0..<2 {
                let (sub, padding) = TransposedPhases.parity(layer, dy: dy, dx: dx)
                out.scatter(
                    try convolve(x, sub, preluSlopes: prelu?.slopes, adding: nil, padding: padding), dy: dy, dx: dx)
            }
        }
        return out
    }

    /// The level on the output parities, like SRResNet's `PhaseTail`: per parity its 2x2 conv and PReLU, then its
    /// share of the residual conv (3x3 over the upsampled map = 3x3 over the parities, 12 outputs) summed onto the
    /// image branch, itself one 3 -> 12 conv at the input's size. The image is then one 12-channel pixel shuffle. The
    /// 64-channel upsampled map is only built when the next level needs it, so the last level never writes or
    /// reads it at full resolution (64 MB at 512x512 in f32).
    func lapsrnLevel(_ g: FeatureMap, _ level: LapSRNLevel, image: FeatureMap, keepFeatures: Bool) throws
        -> (features: FeatureMap?, image: FeatureMap)
    {
        let (up, residual, slopes) = (level.up, level.residual, level.upPReLU.slopes)
        guard residual.outChannels < Self.narrowOutputs, residual.kernel % 2 == 1,
            residual.inChannels == up.outChannels,
            level.imageUp.inChannels == residual.outChannels, level.imageUp.outChannels == residual.outChannels,
            slopes.count == 1 || slopes.count == up.outChannels
        else {
            let f = try transposedConv(g, up, prelu: level.upPReLU)
            let coarse = try transposedConv(image, level.imageUp, prelu: nil)
            return (f, try conv(f, residual, prelu: nil, adding: coarse))
        }
        let tails = PhaseTail(tail: residual).layers()
        var z = try convolve(image, TransposedPhases.stacked(level.imageUp), preluSlopes: nil, adding: nil)
        let features = keepFeatures
            ? FeatureMap(channels: up.outChannels, height: 2 * g.height, width: 2 * g.width) : nil
        let shared = slopes.count == 1 ? slopes : nil
        // The four parity convs read the same input: round it to bf16 once.
        let input = precision.roundsToBF16 ? g.converted(to: .bf16) : g
        for dy in 0..<2 {
            for dx in 0..<2 {
                let (sub, padding) = TransposedPhases.parity(up, dy: dy, dx: dx)
                // Without features to keep, a fused PReLU lets the conv write the tails' bf16 input directly.
                let narrow = precision.roundsToBF16 && features == nil && shared != nil
                let output: FeatureMap.Element = narrow ? .bf16 : .f32
                var part = try convolve(input, sub, preluSlopes: shared, adding: nil, padding: padding, output: output)
                if shared == nil {
                    if precision.roundsToBF16 && features == nil { part = part.preluToBF16(slopes) } else {
                        part.applyPReLU(slopes)
                    }
                }
                features?.scatter(part, dy: dy, dx: dx)
                z = try convolve(part, tails[2 * dy + dx], preluSlopes: nil, adding: z, inPlace: true)
            }
        }
        return (features, z.depthToSpace2(channels: residual.outChannels))
    }
}
