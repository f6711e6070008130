import Dispatch

/// A real k x k conv with few output channels (SRResNet's 9x9 64 -> 3 tail, LapSRN's 3x3 64 -> 3 residual), run as a
/// 1x1 conv to one channel per (tap, output) pair followed by a shifted sum:
///
///     z(y, x, t * n + c) = sum_i x(y, x, i) * W[c, i, ky, kx]          t = ky * k + kx  (oneDNN 1x1 conv)
///     out(y, x, c)       = b[c] + sum_t z(y + ky - k/2, x + kx - k/2, t * n + c)   (in-image taps only)
///
/// oneDNN 2.6 vectorizes over output channels, so the direct 3-channel conv ran at a tenth of the body convs' speed
/// (ONEDNN_VERBOSE, one thread); the 1x1 conv has k^2 * n outputs and runs at full speed, the shifted sum is k^2 * n
/// adds per pixel. z is computed in row strips of bounded size so the trick costs little memory.
struct NarrowConvolution {
    let layer: ConvLayer
    let plan: ShapePlan
    let stream: DNNLStream
    /// The element type of the 1x1 conv's input and weights (`bf16` under `Precision.bf16All`).
    var source: FeatureMap.Element = .f32
    /// Bytes of z per strip: bounds the extra memory; the strip's k - 1 halo rows are recomputed.
    var stripBytes = 48 << 20

    var tapChannels: Int { (layer.kernel * layer.kernel * layer.outChannels + 15) / 16 * 16 }

    /// The 1x1 weights `[taps * n (padded), in, 1, 1]`.
    func pointwiseWeights() -> [Float] {
        let (k, n, cin) = (layer.kernel, layer.outChannels, layer.inChannels)
        let w = layer.effectiveWeights()
        var out = [Float](repeating: 0, count: tapChannels * cin)
        for c in 0..<n {
            for i in 0..<cin {
                for t in 0..<k * k { out[(t * n + c) * cin + i] = w[((c * cin + i) * k * k) + t] }
            }
        }
        return out
    }

    func run(_ x: FeatureMap, adding residual: FeatureMap?) throws -> FeatureMap {
        let (k, n, pad) = (layer.kernel, layer.outChannels, layer.kernel / 2)
        let out = FeatureMap(channels: n, height: x.height, width: x.width)
        let input = x.converted(to: source)
        let rowBytes = x.width * tapChannels * 4
        let strip = max(1, stripBytes / rowBytes - 2 * pad)
        for y0 in stride(from: 0, to: x.height, by: strip) {
            let y1 = min(x.height, y0 + strip)
            let rows = max(0, y0 - pad)..<min(x.height, y1 + pad)
            let primitive = try plan.primitive("\(layer.name)|taps|\(rows.count)|\(source)") {
                ConvolutionSpec(
                    kernel: 1, inChannels: layer.inChannels, outChannels: tapChannels,
                    height: rows.count, width: x.width, source: source, destination: .f32,
                    weights: pointwiseWeights(), weightElement: source, bias: nil, postOps: [])
            }
            let z = FeatureMap(channels: tapChannels, height: rows.count, width: x.width)
            try primitive.execute(FeatureMap(rows: rows, of: input), into: z, on: stream)
            sumTaps(z, zFirstRow: rows.lowerBound, into: out, rows: y0..<y1, kernel: k, adding: residual)
        }
        return out
    }

    /// Row by row, tap by tap: each (ky, kx) adds a shifted, strided slice of z to the output row.
    private func sumTaps(
        _ z: FeatureMap, zFirstRow: Int, into out: FeatureMap, rows: Range<Int>, kernel k: Int,
        adding residual: FeatureMap?
    ) {
        let (n, pad, width, height, zc) = (layer.outChannels, k / 2, out.width, out.height, tapChannels)
        // Rows are independent (each iteration writes only its own output row): split them over the cores; this
        // pass was ~10% of an SRResNet x4 run in perf.
        let shared = RowPointers(z: z.floats, out: out.floats, residual: residual?.floats, bias: layer.bias)
        DispatchQueue.concurrentPerform(iterations: rows.count) { index in
            let (zp, op, rp, bias) = (shared.z, shared.out, shared.residual, shared.bias)
            let y = rows.lowerBound + index
            let outRow = op + y * width * n
            for x in 0..<width {
                for c in 0..<n { outRow[x * n + c] = bias[c] + (rp.map { $0[(y * width + x) * n + c] } ?? 0) }
            }
            for ky in max(0, pad - y)..<min(k, height + pad - y) {
                let zRow = zp + (y + ky - pad - zFirstRow) * width * zc
                for kx in 0..<k {
                    // Output columns whose input column x + kx - pad is inside the image (none when the
                    // image is narrower than the kernel's reach).
                    let (x0, x1) = (max(0, pad - kx), min(width, width + pad - kx))
                    guard x0 < x1 else { continue }
                    let tap = zRow + (kx - pad) * zc + (ky * k + kx) * n
                    for x in x0..<x1 {
                        let (src, dst) = (tap + x * zc, outRow + x * n)
                        for c in 0..<n { dst[c] += src[c] }
                    }
                }
            }
        }
    }
}

/// The raw buffers `sumTaps` reads and writes from several threads; rows written are disjoint per iteration.
private struct RowPointers: @unchecked Sendable {
    let z: UnsafeMutablePointer<Float>
    let out: UnsafeMutablePointer<Float>
    let residual: UnsafeMutablePointer<Float>?
    let bias: [Float]
}
