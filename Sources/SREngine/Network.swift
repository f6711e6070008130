/// What a backend must provide to run the graphs of docs/weights-format.md. Each call describes one layer plus the
/// element-wise work that follows it, so a fast backend can fuse it (oneDNN post-ops) and the reference need not.
protocol InferenceBackend {
    associatedtype Activation

    /// `y = conv(x)`, then `prelu(y)` when given, then `y + residual` when given.
    func conv(_ x: Activation, _ layer: ConvLayer, prelu: PReLULayer?, adding residual: Activation?) throws
        -> Activation
    /// `y = transposedConv(x)`, then `prelu(y)` when given.
    func transposedConv(_ x: Activation, _ layer: TransposedConvLayer, prelu: PReLULayer?) throws -> Activation
    /// `prelu(pixelShuffle2(conv(x)))`, one x2 step of SRResNet.
    func upsample(_ x: Activation, _ conv: ConvLayer, prelu: PReLULayer) throws -> Activation
    /// `x + conv2(prelu(conv1(x)))`, one residual block (a fast backend can keep its inner activation narrow).
    /// `reusingInput`: the caller never reads `x` again, so the result may be written over it.
    func residualBlock(_ x: Activation, _ block: ResidualBlock, reusingInput: Bool) throws -> Activation
    /// `tail(upsample(x))`: SRResNet's last x2 step and its output conv, which a fast backend can run before the
    /// pixel shuffle (a default runs the two calls).
    func upsample(_ x: Activation, _ conv: ConvLayer, prelu: PReLULayer, then tail: ConvLayer) throws -> Activation
    /// One LapSRN level after its body: features `prelu(up(g))` and image `residual(features) + imageUp(image)`.
    /// Features are returned when `keepFeatures` (the next level's input); the last level does not need them, so a
    /// fast backend can avoid building them at full resolution.
    func lapsrnLevel(_ g: Activation, _ level: LapSRNLevel, image: Activation, keepFeatures: Bool) throws
        -> (features: Activation?, image: Activation)
}

extension InferenceBackend {
    func residualBlock(_ x: Activation, _ block: ResidualBlock, reusingInput: Bool) throws -> Activation {
        try conv(conv(x, block.conv1, prelu: block.prelu, adding: nil), block.conv2, prelu: nil, adding: x)
    }

    func upsample(_ x: Activation, _ conv: ConvLayer, prelu: PReLULayer, then tail: ConvLayer) throws -> Activation {
        try self.conv(upsample(x, conv, prelu: prelu), tail, prelu: nil, adding: nil)
    }

    func lapsrnLevel(_ g: Activation, _ level: LapSRNLevel, image: Activation, keepFeatures: Bool) throws
        -> (features: Activation?, image: Activation)
    {
        let f = try transposedConv(g, level.up, prelu: level.upPReLU)
        let coarse = try transposedConv(image, level.imageUp, prelu: nil)
        return (f, try conv(f, level.residual, prelu: nil, adding: coarse))
    }
}

/// The two architectures written once over any backend; this is the graph of docs/weights-format.md line by line.
enum NetworkGraph {
    /// Returns the outputs from coarse to fine: SRResNet gives one, LapSRN one per x2 level, stopping after
    /// `levels` levels when given (the coarser scales of an x4 LapSRN, without running the finer levels).
    static func forward<B: InferenceBackend>(
        _ network: NetworkWeights, _ x: B.Activation, on backend: B, levels: Int? = nil
    ) throws -> [B.Activation] {
        // `keepInput`: the input is read again after the blocks (SRResNet's global skip), so the first block must
        // not write over it; every later block's input is dead once the block has run.
        func blocks(_ body: [ResidualBlock], _ input: B.Activation, keepInput: Bool) throws -> B.Activation {
            var f = input
            for (index, block) in body.enumerated() {
                f = try backend.residualBlock(f, block, reusingInput: index > 0 || !keepInput)
            }
            return f
        }
        switch network {
        case .srresnet(let net):
            let f0 = try backend.conv(x, net.headConv, prelu: net.headPReLU, adding: nil)
            var f = try blocks(net.body, f0, keepInput: true)
            f = try backend.conv(f, net.bodyTail, prelu: nil, adding: f0)
            for step in net.upsample.dropLast() {
                f = try backend.upsample(f, step.conv, prelu: step.prelu)
            }
            guard let last = net.upsample.last else { return [try backend.conv(f, net.tail, prelu: nil, adding: nil)] }
            return [try backend.upsample(f, last.conv, prelu: last.prelu, then: net.tail)]
        case .lapsrn(let net):
            var f: B.Activation? = try backend.conv(x, net.headConv, prelu: net.headPReLU, adding: nil)
            var img = x
            var outputs: [B.Activation] = []
            let run = net.levels.prefix(levels ?? net.levels.count)
            for (index, level) in run.enumerated() {
                let g = try blocks(level.body, f!, keepInput: false)
                (f, img) = try backend.lapsrnLevel(g, level, image: img, keepFeatures: index + 1 < run.count)
                outputs.append(img)
            }
            return outputs
        }
    }
}
