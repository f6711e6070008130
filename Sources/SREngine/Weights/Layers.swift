/// A stride-1 "same" convolution (padding k/2, zeros), real or binary, always with a bias.
public struct ConvLayer: Sendable {
    public enum Weights: Sendable {
        /// `[out, in, k, k]` row-major.
        case real([Float])
        /// Packed signs (docs/weights-format.md: LSB first, 1 = +1) and the per-output-channel scale.
        case binary(bits: [UInt8], alpha: [Float])
    }

    public let name: String
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let weights: Weights
    public let bias: [Float]

    public var isBinary: Bool { if case .binary = weights { return true } else { return false } }
    public var bytesPerRow: Int { (inChannels * kernel * kernel + 7) / 8 }
    public var weightCount: Int { outChannels * inChannels * kernel * kernel }

    /// The ±1 signs of a binary layer as floats, `[out, in, k, k]`.
    public func signs() -> [Float] {
        guard case .binary(let bits, _) = weights else { preconditionFailure("signs() on a real layer") }
        let perRow = inChannels * kernel * kernel
        var result = [Float](repeating: 0, count: weightCount)
        for o in 0..<outChannels {
            for j in 0..<perRow {
                let bit = (bits[o * bytesPerRow + j / 8] >> UInt8(j % 8)) & 1
                result[o * perRow + j] = bit == 1 ? 1 : -1
            }
        }
        return result
    }

    /// Effective float weights: the real ones, or `alpha[o] * S[o]` (exact: a sign flip of alpha).
    public func effectiveWeights() -> [Float] {
        switch weights {
        case .real(let w): return w
        case .binary(_, let alpha):
            let perRow = inChannels * kernel * kernel
            var s = signs()
            for o in 0..<outChannels { for j in 0..<perRow { s[o * perRow + j] *= alpha[o] } }
            return s
        }
    }
}

/// PyTorch `ConvTranspose2d(k=4, stride=2, padding=1)`: exactly doubles height and width.
public struct TransposedConvLayer: Sendable {
    public let name: String
    public let inChannels: Int
    public let outChannels: Int
    /// `[in, out, 4, 4]` (PyTorch layout).
    public let weights: [Float]
    public let bias: [Float]
    public static let kernel = 4
}

/// `y = x >= 0 ? x : a * x`, one slope per channel or one shared slope.
public struct PReLULayer: Sendable {
    public let name: String
    public let slopes: [Float]

    public func slope(channel: Int) -> Float { slopes.count == 1 ? slopes[0] : slopes[channel] }
}
