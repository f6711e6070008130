import CDNNL

/// Numeric precision of the convolutions on the oneDNN backend. `bf16` and `int8` change the binary layers only;
/// `bf16-all` runs every convolution on bf16 inputs and weights (AMX tiles where the CPU has them). Accumulation,
/// outputs, residual sums and PReLU stay fp32 in every mode.
public enum Precision: String, Sendable, CaseIterable, Codable {
    case fp32
    /// ±1 weights are exact in bf16; activations entering binary layers are rounded to bf16, accumulation is fp32
    /// and alpha is applied as an fp32 per-channel post-op multiply.
    case bf16
    /// ±1 weights are exact in int8; the input of each binary layer is quantized per call to int8 with one
    /// symmetric scale per tensor (max |x| / 127: dynamic, per tile), accumulation is int32 (VNNI), and alpha times
    /// that scale is applied as an fp32 per-channel post-op multiply. Inside a binary residual block the PReLU and
    /// the quantization of conv2's input are one pass; the residual stream stays f32.
    case int8
    /// Every convolution takes bf16 inputs and weights: real weights are rounded to bf16 (8 significant bits),
    /// binary ones become ±bf16(alpha) (still one magnitude per output channel). Outputs are fp32, so rounding
    /// errors do not compound through the residual stream; only each layer's input is rounded.
    case bf16All = "bf16-all"
    /// `int8` for the binary layers and `bf16-all` for every other one: the two fast paths together, for CPUs
    /// where both pay (the choice is measured per machine, `PrecisionChoice`).
    case int8BF16 = "int8-bf16"

    /// Whether real (and, under bf16-all, binary) layers take bf16 inputs and weights.
    var roundsToBF16: Bool { self == .bf16All || self == .int8BF16 }
    /// Whether binary layers run on s8 activations x ±1 s8 weights.
    var quantizesBinary: Bool { self == .int8 || self == .int8BF16 }

    /// A fixed mode by name. `auto` is not a mode but a decision made per model and CPU (`PrecisionTuner`).
    public init?(named name: String) { self.init(rawValue: name) }

    /// Whether oneDNN runs int8 on VNNI here (AVX512-VNNI or AVX-VNNI): the int8 modes' weight multipliers up to
    /// 127 rely on its int32 accumulation (older AVX-512 int8 code pairs products in saturating int16).
    public static var vnni: Bool {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        return [dnnl_cpu_isa_avx512_core_vnni, dnnl_cpu_isa_avx2_vnni].contains { isa & $0.rawValue == $0.rawValue }
    }

    /// Every accepted name, for help texts and errors.
    public static let names = ["auto"] + allCases.map(\.rawValue)

    /// Whether `layer` runs in low precision under this mode. Under bf16All, convs reading the image itself (3
    /// channels: SRResNet's and LapSRN's heads, LapSRN's image branch) stay fp32: rounding pixels to bf16 (8
    /// significant bits, up to 0.5/255 at 1.0) would reach LapSRN's output directly, and they cost little.
    func lowers(_ layer: ConvLayer) -> Bool {
        if layer.isBinary && quantizesBinary { return true }
        if roundsToBF16 { return layer.inChannels > Self.imageChannels }
        return layer.isBinary && self != .fp32
    }

    static let imageChannels = 4

    /// The element type the inputs (and weights) of a lowered layer take.
    func lowElement(_ layer: ConvLayer) -> FeatureMap.Element { layer.isBinary && quantizesBinary ? .s8 : .bf16 }
}

/// Runs the graph on oneDNN primitives with fused bias, PReLU and residual sums, NHWC from end to end.
struct OneDNNBackend: InferenceBackend {
    let plan: ShapePlan
    let precision: Precision
    let stream: DNNLStream

    func conv(_ x: FeatureMap, _ layer: ConvLayer, prelu: PReLULayer?, adding residual: FeatureMap?) throws
        -> FeatureMap
    {
        try convolve(x, layer, preluSlopes: prelu?.slopes, adding: residual)
    }

    /// Under `bf16All` the PReLU of conv1 and the rounding of its output for conv2 are one pass (the f32 activation
    /// is never read again). Under `int8` a binary block runs both convs on s8 activations x ±1 s8 weights (VNNI,
    /// int32 accumulation): the block input is quantized once, conv1's f32 output goes through PReLU and
    /// quantization in one pass, and conv2 sums into the f32 residual stream, which stays exact.
    func residualBlock(_ x: FeatureMap, _ block: ResidualBlock, reusingInput: Bool) throws -> FeatureMap {
        if precision.quantizesBinary && block.conv1.isBinary && block.conv2.isBinary {
            let t = try convolve(x, block.conv1, preluSlopes: nil, adding: nil)
            return try convolve(
                t, block.conv2, preluSlopes: nil, adding: x, inPlace: reusingInput,
                quantized: t.quantizedS8(slopes: block.prelu.slopes, maxMultiplier: Self.maxMultiplier))
        }
        guard precision.roundsToBF16, block.prelu.slopes.count == block.conv1.outChannels else {
            let t = try conv(x, block.conv1, prelu: block.prelu, adding: nil)
            return try convolve(t, block.conv2, preluSlopes: nil, adding: x, inPlace: reusingInput)
        }
        let t = try convolve(x, block.conv1, preluSlopes: nil, adding: nil).preluToBF16(block.prelu.slopes)
        return try convolve(t, block.conv2, preluSlopes: nil, adding: x, inPlace: reusingInput)
    }

    /// `prelu(pixelShuffle2(conv(x)))` as four C-channel convs, one per sub-pixel position (dy, dx): conv channel
    /// 4c + 2dy + dx lands at (2h + dy, 2w + dx) of shuffled channel c, so each sub-conv's output is scattered
    /// straight into the shuffled map and freed. The PReLU (applied after the shuffle) has the same channel c, so it
    /// fuses into each sub-conv. Peak memory is the shuffled map plus a quarter, instead of twice the map, and
    /// 64 -> 64 convs run faster in oneDNN 2.6 than one 64 -> 256 (measured, ONEDNN_VERBOSE).
    func upsample(_ x: FeatureMap, _ conv: ConvLayer, prelu: PReLULayer) throws -> FeatureMap {
        guard conv.outChannels % 4 == 0 else {
            throw InferenceError.unsupported("upsample conv \(conv.name) needs 4C outputs")
        }
        let c = conv.outChannels / 4
        // Under bf16All the shuffled map is only ever the next conv's input: PReLU, rounding and shuffle in bf16.
        // A shared slope fuses into the conv, which then writes bf16 itself; per-channel slopes take one pass.
        let narrow = precision.roundsToBF16
        let shared = prelu.slopes.count == 1
        let shuffled = FeatureMap(
            channels: c, height: 2 * x.height, width: 2 * x.width, element: narrow ? .bf16 : .f32)
        let input = narrow ? x.converted(to: .bf16) : x  // the four sub-convs' input, rounded once
        for offset in 0..<4 {
            let sub = Self.subPixel(conv, offset)
            let part = narrow && !shared
                ? try convolve(input, sub, preluSlopes: nil, adding: nil).preluToBF16(prelu.slopes)
                : try convolve(input, sub, preluSlopes: prelu.slopes, adding: nil, output: shuffled.element)
            shuffled.scatter(part, dy: offset / 2, dx: offset % 2)
        }
        return shuffled
    }

    /// The C-channel conv computing channels 4c + offset of `conv` (one sub-pixel position of a pixel shuffle).
    /// A binary upsample conv (the `binarize = all` ablation) runs on its exact fp32 weights alpha * S.
    static func subPixel(_ conv: ConvLayer, _ offset: Int) -> ConvLayer {
        let weights = conv.effectiveWeights()
        let perRow = conv.inChannels * conv.kernel * conv.kernel
        let rows = (0..<conv.outChannels / 4).map { 4 * $0 + offset }
        return ConvLayer(
            name: "\(conv.name)#\(offset)", inChannels: conv.inChannels, outChannels: rows.count,
            kernel: conv.kernel, weights: .real(rows.flatMap { weights[$0 * perRow..<($0 + 1) * perRow] }),
            bias: rows.map { conv.bias[$0] })
    }

    /// Largest per-channel step multiplier of int8 activations (`FeatureMap.quantizedS8`): ±1 weights times it
    /// stay exact in int8. VNNI accumulates u8 x s8 products in int32 without the int16 saturation of older
    /// AVX-512 int8 code, which is why int8 modes are offered only where oneDNN reports VNNI.
    static let maxMultiplier = 127

    /// Convs with fewer output channels than this (the 3-channel tails) run as `NarrowConvolution`.
    static let narrowOutputs = 8

    /// `padding`: leading zero padding for even kernels (`ConvolutionSpec.leadingPadding`); nil is k / 2.
    /// `output` bf16 writes the result rounded for a next bf16 conv, when nothing else reads it (no f32 map of
    /// the layer is ever written; the PReLU must then be shared, i.e. fused, and there is no residual).
    /// `inPlace` sums into `residual` itself instead of a copy (the caller never reads it again).
    /// `quantized`: the s8 form of `x` (whatever was fused into making it) and its scale, for an int8 layer.
    func convolve(
        _ x: FeatureMap, _ layer: ConvLayer, preluSlopes: [Float]?, adding residual: FeatureMap?,
        padding: (top: Int, left: Int)? = nil, output: FeatureMap.Element = .f32, inPlace: Bool = false,
        quantized: QuantizedMap? = nil
    ) throws -> FeatureMap {
        precondition(
            output == .f32
                || (residual == nil && (preluSlopes?.count ?? 1) == 1 && layer.outChannels >= Self.narrowOutputs),
            "a bf16 output needs a fused PReLU, no residual and a wide layer")
        // Binary narrow convs (the `binarize = all` tail) also take this path, on exact fp32 weights alpha * S.
        if layer.outChannels < Self.narrowOutputs && layer.kernel > 1 && preluSlopes == nil {
            let source: FeatureMap.Element = precision.roundsToBF16 && precision.lowers(layer) ? .bf16 : .f32
            return try NarrowConvolution(layer: layer, plan: plan, stream: stream, source: source)
                .run(x, adding: residual)
        }
        let lowPrecision = precision.lowers(layer)
        // Under bf16/int8, ±1 weights with alpha as a post-op keep binary layers exact. Under bf16All a binary
        // layer's weights are ±bf16(alpha) like any rounded real layer (what PyTorch's bf16 autocast runs): the
        // per-channel post-ops cost ~8% of an SRResNet x4 run and exact alpha changed PSNR by < 0.0006 dB
        // (Set5/Set14, both binary x4 models).
        let signed = lowPrecision && layer.isBinary && precision != .bf16All
        let source: FeatureMap.Element = lowPrecision ? precision.lowElement(layer) : .f32
        let weightElement = source
        let activation = PReLUPlan(preluSlopes)
        // Outputs are f32 (residual stream, PReLU pass, any next layer) unless the caller asks for bf16; each
        // low-precision conv converts or quantizes its own input.
        let destination = output
        let padKey = padding.map { "|pad\($0.top)\($0.left)" } ?? ""
        let key = "\(layer.name)|\(source)>\(destination)|\(activation.key)|\(residual != nil)\(padKey)"
        let primitive = try plan.primitive(key) {
            var postOps: [ConvolutionSpec.PostOp] = []
            if signed, case .binary(_, let alpha) = layer.weights {
                postOps += [.scale(alpha), .shift(layer.bias)]
            }
            postOps += activation.postOps
            if residual != nil { postOps.append(.sum) }
            return ConvolutionSpec(
                kernel: layer.kernel, inChannels: layer.inChannels,
                outChannels: layer.outChannels, height: x.height, width: x.width,
                source: source, destination: destination,
                weights: signed ? layer.signs() : layer.effectiveWeights(),
                weightElement: weightElement,
                bias: signed ? nil : layer.bias, postOps: postOps, leadingPadding: padding)
        }
        let y: FeatureMap
        if let residual {
            precondition(residual.element == destination, "residual and output element types differ")
            y = inPlace ? residual : residual.copy()
        } else {
            y = FeatureMap(channels: layer.outChannels, height: x.height, width: x.width, element: destination)
        }
        if source == .s8 {
            // Σ sign·x_c = scale · Σ (sign·multiplier_c)·q_c: integer weights, exact in int8.
            let q = quantized ?? x.quantizedS8(maxMultiplier: Self.maxMultiplier)
            let uniform = q.multipliers.allSatisfy { $0 == q.multipliers[0] }
            let weights = uniform ? nil : try primitive.scaledWeights(q.multipliers, on: stream)
            try primitive.execute(
                q.map, into: y, on: stream, scaleFactor: q.scale * Float(uniform ? q.multipliers[0] : 1),
                weights: weights)
        } else {
            try primitive.execute(x.converted(to: source), into: y, on: stream)
        }
        activation.finish(y)
        return y
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
