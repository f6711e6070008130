/// Numeric precision of the binary layers on the oneDNN backend. Real layers always run in fp32.
public enum Precision: String, Sendable, CaseIterable {
    case fp32
    /// ±1 weights are exact in bf16; activations entering binary layers are rounded to bf16, accumulation is fp32
    /// and alpha is applied as an fp32 per-channel post-op multiply.
    case bf16
    /// ±1 weights are exact in int8; the input of each binary layer is quantized per call to int8 with one
    /// symmetric scale per tensor (max |x| / 127), accumulation is int32 (VNNI), and alpha times that scale is
    /// applied as an fp32 per-channel post-op multiply.
    case int8
}

/// Runs the graph on oneDNN primitives with fused bias, PReLU and residual sums, NHWC from end to end.
struct OneDNNBackend: InferenceBackend {
    let plan: ShapePlan
    let precision: Precision
    let stream: DNNLStream

    func conv(_ x: FeatureMap, _ layer: ConvLayer, prelu: PReLULayer?, adding residual: FeatureMap?) throws
        -> FeatureMap
    {
        try run(x, layer, preluSlopes: prelu?.slopes, adding: residual)
    }

    func transposedConv(_ x: FeatureMap, _ layer: TransposedConvLayer, prelu: PReLULayer?) throws -> FeatureMap {
        let activation = PReLUPlan(prelu?.slopes)
        let primitive = try plan.primitive("\(layer.name)|\(activation.key)") {
            ConvolutionSpec(kind: .transposed, inChannels: layer.inChannels, outChannels: layer.outChannels,
                            height: x.height, width: x.width, source: .f32, destination: .f32,
                            weights: layer.weights, weightElement: .f32, bias: layer.bias,
                            postOps: activation.postOps)
        }
        let y = FeatureMap(channels: layer.outChannels, height: 2 * x.height, width: 2 * x.width)
        try primitive.execute(x.converted(to: .f32), into: y, on: stream)
        activation.finish(y)
        return y
    }

    /// `prelu(pixelShuffle2(conv(x)))` as four C-channel convs, one per sub-pixel position (dy, dx): conv channel
    /// 4c + 2dy + dx lands at (2h + dy, 2w + dx) of shuffled channel c, so each sub-conv's output is scattered
    /// straight into the shuffled map and freed. The PReLU (applied after the shuffle) has the same channel c, so it
    /// fuses into each sub-conv. Peak memory is the shuffled map plus a quarter, instead of twice the map, and
    /// 64 -> 64 convs run faster in oneDNN 2.6 than one 64 -> 256 (measured, ONEDNN_VERBOSE).
    func upsample(_ x: FeatureMap, _ conv: ConvLayer, prelu: PReLULayer) throws -> FeatureMap {
        guard case .real(let weights) = conv.weights, conv.outChannels % 4 == 0 else {
            throw InferenceError.unsupported("upsample conv \(conv.name) must be real with 4C outputs")
        }
        let c = conv.outChannels / 4
        let perRow = conv.inChannels * conv.kernel * conv.kernel
        let shuffled = FeatureMap(channels: c, height: 2 * x.height, width: 2 * x.width)
        for offset in 0..<4 {
            let rows = (0..<c).map { 4 * $0 + offset }
            let sub = ConvLayer(name: "\(conv.name)#\(offset)", inChannels: conv.inChannels, outChannels: c,
                                kernel: conv.kernel, weights: .real(rows.flatMap { weights[$0 * perRow..<($0 + 1) * perRow] }),
                                bias: rows.map { conv.bias[$0] })
            let part = try run(x, sub, preluSlopes: prelu.slopes, adding: nil)
            shuffled.scatter(part, dy: offset / 2, dx: offset % 2)
        }
        return shuffled
    }

    /// Real convs with fewer output channels than this run as `NarrowConvolution`.
    static let narrowOutputs = 16

    private func run(_ x: FeatureMap, _ layer: ConvLayer, preluSlopes: [Float]?, adding residual: FeatureMap?) throws
        -> FeatureMap
    {
        if layer.outChannels < Self.narrowOutputs && layer.kernel > 1 && !layer.isBinary && preluSlopes == nil {
            return try NarrowConvolution(layer: layer, plan: plan, stream: stream).run(x, adding: residual)
        }
        let lowPrecision = layer.isBinary && precision != .fp32
        let source: FeatureMap.Element = !lowPrecision ? .f32 : precision == .bf16 ? .bf16 : .s8
        let weightElement: FeatureMap.Element = source == .s8 ? .s8 : source
        let activation = PReLUPlan(preluSlopes)
        // A bf16 binary conv followed by PReLU feeds the block's second binary conv: hand it bf16 directly (after
        // the separate PReLU pass when there is one). int8 inputs are quantized per call, from f32.
        let wantsBF16 = lowPrecision && source == .bf16 && preluSlopes != nil && residual == nil
        let destination: FeatureMap.Element = wantsBF16 && activation.separate == nil ? .bf16 : .f32
        let key = "\(layer.name)|\(source)>\(destination)|\(activation.key)|\(residual != nil)"
        let primitive = try plan.primitive(key) {
            var postOps: [ConvolutionSpec.PostOp] = []
            if lowPrecision, case .binary(_, let alpha) = layer.weights {
                postOps += [.scale(alpha), .shift(layer.bias)]
            }
            postOps += activation.postOps
            if residual != nil { postOps.append(.sum) }
            return ConvolutionSpec(kind: .conv(kernel: layer.kernel), inChannels: layer.inChannels,
                                   outChannels: layer.outChannels, height: x.height, width: x.width,
                                   source: source, destination: destination,
                                   weights: lowPrecision ? layer.signs() : layer.effectiveWeights(),
                                   weightElement: weightElement,
                                   bias: lowPrecision ? nil : layer.bias, postOps: postOps)
        }
        let y: FeatureMap
        if let residual {
            precondition(residual.element == destination, "residual and output element types differ")
            y = residual.copy()
        } else {
            y = FeatureMap(channels: layer.outChannels, height: x.height, width: x.width, element: destination)
        }
        if source == .s8 {
            let (quantized, scale) = x.quantizedS8()
            try primitive.execute(quantized, into: y, on: stream, scaleFactor: scale)
        } else {
            try primitive.execute(x.converted(to: source), into: y, on: stream)
        }
        activation.finish(y)
        return wantsBF16 ? y.converted(to: .bf16) : y
    }
}

/// How a PReLU after a convolution runs: fused as leaky ReLU when its slope is shared, else as a separate pass.
private struct PReLUPlan {
    let shared: Float?
    let separate: [Float]?

    init(_ slopes: [Float]?) {
        shared = slopes?.count == 1 ? slopes![0] : nil
        separate = slopes.flatMap { $0.count == 1 ? nil : $0 }
    }

    var key: String { shared != nil ? "leaky" : (separate == nil ? "none" : "prelu") }
    var postOps: [ConvolutionSpec.PostOp] { shared.map { [.leakyReLU($0)] } ?? [] }

    func finish(_ y: FeatureMap) { if let separate { y.applyPReLU(separate) } }
}
