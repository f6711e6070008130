/// The executable specification of every layer in docs/weights-format.md: plain loops, no tricks beyond keeping the
/// innermost loop along a row. The oneDNN backend is tested against these.
public enum ReferenceKernels {
    /// Stride-1 convolution with zero padding `k / 2` (PyTorch `Conv2d(padding=k//2)`); `weights` is `[out, in, k, k]`.
    public static func conv2d(_ x: Tensor, weights: [Float], outChannels: Int, kernel k: Int, bias: [Float]?) -> Tensor {
        precondition(weights.count == outChannels * x.channels * k * k, "conv weights do not match the input")
        var y = Tensor(zeros: outChannels, x.height, x.width)
        let pad = k / 2
        let (h, w) = (x.height, x.width)
        for o in 0..<outChannels {
            let outBase = o * x.plane
            if let bias { for p in 0..<x.plane { y.data[outBase + p] = bias[o] } }
            for i in 0..<x.channels {
                for ky in 0..<k {
                    for kx in 0..<k {
                        let wv = weights[((o * x.channels + i) * k + ky) * k + kx]
                        // Output column range whose input column x + kx - pad lies inside the image.
                        let x0 = max(0, pad - kx)
                        let x1 = min(w, w + pad - kx)
                        guard x0 < x1 else { continue }
                        for oy in 0..<h {
                            let iy = oy + ky - pad
                            guard iy >= 0 && iy < h else { continue }
                            let inRow = (i * h + iy) * w + kx - pad
                            let outRow = outBase + oy * w
                            for ox in x0..<x1 { y.data[outRow + ox] += wv * x.data[inRow + ox] }
                        }
                    }
                }
            }
        }
        return y
    }

    /// `y[o] = conv(x, W)[o] + b[o]`, or for a binary layer `alpha[o] * conv(x, S)[o] + b[o]` with S = ±1 from bits.
    public static func conv(_ x: Tensor, _ layer: ConvLayer) -> Tensor {
        switch layer.weights {
        case .real(let w):
            return conv2d(x, weights: w, outChannels: layer.outChannels, kernel: layer.kernel, bias: layer.bias)
        case .binary(_, let alpha):
            var y = conv2d(x, weights: layer.signs(), outChannels: layer.outChannels, kernel: layer.kernel, bias: nil)
            for o in 0..<layer.outChannels {
                for p in 0..<y.plane { y.data[o * y.plane + p] = alpha[o] * y.data[o * y.plane + p] + layer.bias[o] }
            }
            return y
        }
    }

    /// PyTorch `ConvTranspose2d(k=4, stride=2, padding=1)`: input (iy, ix) scatters to output (2iy - 1 + ky, 2ix - 1 + kx).
    public static func transposedConv(_ x: Tensor, _ layer: TransposedConvLayer) -> Tensor {
        let k = TransposedConvLayer.kernel
        let (oh, ow) = (2 * x.height, 2 * x.width)
        var y = Tensor(zeros: layer.outChannels, oh, ow)
        for o in 0..<layer.outChannels { for p in 0..<y.plane { y.data[o * y.plane + p] = layer.bias[o] } }
        for i in 0..<x.channels {
            for iy in 0..<x.height {
                for ix in 0..<x.width {
                    let v = x.data[(i * x.height + iy) * x.width + ix]
                    for o in 0..<layer.outChannels {
                        for ky in 0..<k {
                            let oy = 2 * iy - 1 + ky
                            guard oy >= 0 && oy < oh else { continue }
                            for kx in 0..<k {
                                let ox = 2 * ix - 1 + kx
                                guard ox >= 0 && ox < ow else { continue }
                                y.data[(o * oh + oy) * ow + ox] += v * layer.weights[((i * layer.outChannels + o) * k + ky) * k + kx]
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// PyTorch `PixelShuffle(2)`: output channel c at (2h + dy, 2w + dx) is input channel 4c + 2dy + dx at (h, w).
    public static func pixelShuffle2(_ x: Tensor) -> Tensor {
        precondition(x.channels % 4 == 0, "pixel shuffle needs a multiple of 4 channels")
        var y = Tensor(zeros: x.channels / 4, 2 * x.height, 2 * x.width)
        for c in 0..<y.channels {
            for h in 0..<x.height {
                for w in 0..<x.width {
                    for dy in 0..<2 {
                        for dx in 0..<2 {
                            y.data[(c * y.height + 2 * h + dy) * y.width + 2 * w + dx] =
                                x.data[((4 * c + 2 * dy + dx) * x.height + h) * x.width + w]
                        }
                    }
                }
            }
        }
        return y
    }

    public static func prelu(_ x: Tensor, _ layer: PReLULayer) -> Tensor {
        var y = x
        for c in 0..<x.channels {
            let a = layer.slope(channel: c)
            for p in c * x.plane..<(c + 1) * x.plane where y.data[p] < 0 { y.data[p] *= a }
        }
        return y
    }

    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.channels == b.channels && a.height == b.height && a.width == b.width, "add: shape mismatch")
        var y = a
        for p in 0..<y.data.count { y.data[p] += b.data[p] }
        return y
    }
}
