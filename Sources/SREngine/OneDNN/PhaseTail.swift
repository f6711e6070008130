/// SRResNet's last x2 step and its narrow output conv (9x9, 64 -> 3), run before the pixel shuffle.
///
/// After the shuffle, HR pixel (2Y + q, 2X + r) of channel c is channel 4c + 2q + r of the pre-shuffle map P at
/// (Y, X). A k x k conv over the HR map is therefore a conv over P whose output has one channel per (output phase,
/// output channel), `(2py + px) * n + o`, and whose taps reach dY = floor((py + ky - k/2) / 2) rows of P away:
///
///     out(2h + py, 2w + px, o) = b[o] + sum W[o, c, ky, kx] * P(h + dY, w + dX, 4c + 2qy + qx)
///     with py + ky - k/2 = 2 dY + qy (qy in 0...1), columns likewise.
///
/// So the tail becomes a (2 ceil(p/2) + 1)^2 conv (p = k/2; 5x5 for 9x9) from 4C to 4n channels at a quarter of the
/// HR pixels, with zero padding matching the HR zero padding exactly, followed by a pixel shuffle of only 4n
/// channels. It replaces the 1x1-and-shifted-sum `NarrowConvolution` (30% of an SRResNet x4 run in perf, memory
/// bound) and the shuffle of the 64-channel map.
struct PhaseTail {
    let tail: ConvLayer
    /// Pre-shuffle channels (4C).
    let phaseChannels: Int

    var reach: Int { (tail.kernel / 2 + 1) / 2 }
    var kernel: Int { 2 * reach + 1 }

    /// The conv over the pre-shuffle map: `[4n, 4C, K, K]`, bias repeated per phase.
    func layer() -> ConvLayer {
        let (k, n, c, big) = (tail.kernel, tail.outChannels, tail.inChannels, kernel)
        let pad = k / 2
        let w = tail.effectiveWeights()
        var out = [Float](repeating: 0, count: 4 * n * phaseChannels * big * big)
        for py in 0..<2 {
            for px in 0..<2 {
                for ky in 0..<k {
                    let (dy, qy) = Self.split(py + ky - pad)
                    for kx in 0..<k {
                        let (dx, qx) = Self.split(px + kx - pad)
                        for o in 0..<n {
                            let row = (2 * py + px) * n + o
                            for i in 0..<c {
                                let channel = 4 * i + 2 * qy + qx
                                out[((row * phaseChannels + channel) * big + dy + reach) * big + dx + reach] =
                                    w[((o * c + i) * k + ky) * k + kx]
                            }
                        }
                    }
                }
            }
        }
        return ConvLayer(
            name: "\(tail.name)#phases", inChannels: phaseChannels, outChannels: 4 * n, kernel: big,
            weights: .real(out), bias: (0..<4).flatMap { _ in tail.bias })
    }

    /// `v = 2 d + q` with q in 0...1 (floor division).
    static func split(_ v: Int) -> (Int, Int) {
        let d = v >= 0 ? v / 2 : -((1 - v) / 2)
        return (d, v - 2 * d)
    }
}

extension OneDNNBackend {
    func upsample(_ x: FeatureMap, _ conv: ConvLayer, prelu: PReLULayer, then tail: ConvLayer) throws -> FeatureMap {
        guard tail.outChannels < Self.narrowOutputs, tail.kernel > 1, conv.outChannels == 4 * tail.inChannels,
            prelu.slopes.count == 1 || prelu.slopes.count == tail.inChannels
        else {
            return try self.conv(upsample(x, conv, prelu: prelu), tail, prelu: nil, adding: nil)
        }
        // Shuffled channel c's PReLU slope applies to its four pre-shuffle channels 4c ... 4c + 3.
        let slopes = prelu.slopes.count == 1 ? prelu.slopes : (0..<conv.outChannels).map { prelu.slopes[$0 / 4] }
        // Under bf16All the PReLU and the rounding for the tail conv are one pass over this (largest) map.
        let phases = precision == .bf16All && slopes.count > 1
            ? try convolve(x, conv, preluSlopes: nil, adding: nil).preluToBF16(slopes)
            : try convolve(x, conv, preluSlopes: slopes, adding: nil)
        let z = try convolve(phases, PhaseTail(tail: tail, phaseChannels: conv.outChannels).layer(),
                             preluSlopes: nil, adding: nil)
        return z.depthToSpace2(channels: tail.outChannels)
    }
}
