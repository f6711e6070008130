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

    var reach: Int { (tail.kernel / 2 + 1) / 2 }
    var kernel: Int { 2 * reach + 1 }

    /// The conv over the pre-shuffle map, split by sub-pixel position: layer `offset` reads the C channels
    /// 4c + offset (one sub-pixel conv's output) and the four sum to the whole conv, `[4n, C, K, K]` each; the
    /// bias is in layer 0 only.
    func layers() -> [ConvLayer] {
        let (k, n, c, big) = (tail.kernel, tail.outChannels, tail.inChannels, kernel)
        let pad = k / 2
        let w = tail.effectiveWeights()
        var out = [[Float]](repeating: [Float](repeating: 0, count: 4 * n * c * big * big), count: 4)
        for py in 0..<2 {
            for px in 0..<2 {
                for ky in 0..<k {
                    let (dy, qy) = Self.split(py + ky - pad)
                    for kx in 0..<k {
                        let (dx, qx) = Self.split(px + kx - pad)
                        for o in 0..<n {
                            let row = (2 * py + px) * n + o
                            for i in 0..<c {
                                out[2 * qy + qx][((row * c + i) * big + dy + reach) * big + dx + reach] =
                                    w[((o * c + i) * k + ky) * k + kx]
                            }
                        }
                    }
                }
            }
        }
        let bias = (0..<4).flatMap { _ in tail.bias }
        return (0..<4).map { offset in
            ConvLayer(
                name: "\(tail.name)#phase\(offset)", inChannels: c, outChannels: 4 * n, kernel: big,
                weights: .real(out[offset]), bias: offset == 0 ? bias : bias.map { _ in 0 })
        }
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
        // Sub-pixel position by position: its conv, its PReLU (under bf16All fused with the rounding for the
        // tail), then its share of the tail conv summed into z. Each 64-channel map is freed before the next, so the
        // 4C-channel pre-shuffle map never exists.
        let tails = PhaseTail(tail: tail).layers()
        let shared = prelu.slopes.count == 1 ? prelu.slopes : nil
        var z: FeatureMap?
        let input = precision.roundsToBF16 ? x.converted(to: .bf16) : x  // the four sub-convs' input, rounded once
        for offset in 0..<4 {
            // Under bf16All a fused (shared) PReLU lets the sub-conv write the tail's bf16 input directly.
            let output: FeatureMap.Element = precision.roundsToBF16 && shared != nil ? .bf16 : .f32
            var part = try convolve(
                input, Self.subPixel(conv, offset), preluSlopes: shared, adding: nil, output: output)
            if shared == nil {
                if precision.roundsToBF16 { part = part.preluToBF16(prelu.slopes) } else { part.applyPReLU(prelu.slopes) }
            }
            z = try convolve(part, tails[offset], preluSlopes: nil, adding: z, inPlace: true)
        }
        return z!.depthToSpace2(channels: tail.outChannels)
    }
}
