import CDNNL
import Foundation
import Synchronization

/// What one convolution primitive computes; built by `OneDNNBackend` from a layer and the element-wise work fused
/// after it.
struct ConvolutionSpec {
    /// Applied in order after the convolution (oneDNN post-ops, dnnl.h `dnnl_post_ops_append_*`).
    enum PostOp {
        /// Per-channel multiply: the alpha of a binary layer whose ±1 weights run in bf16 or int8; `execute` can
        /// multiply it by a per-call factor (the int8 input's quantization scale).
        case scale([Float])
        /// Per-channel add: the bias, when it must come after `scale`.
        case shift([Float])
        /// PReLU with one shared slope = oneDNN's eltwise relu with alpha. Per-channel PReLU has no fused post-op
        /// that the fast oneDNN 2.6 kernels accept (the prelu post-op falls back to `ref:any`, measured), so it
        /// runs as a separate pass (`FeatureMap.applyPReLU`).
        case leakyReLU(Float)
        /// `dst += conv(...)`: dst holds the residual on entry.
        case sum
    }

    /// Square kernel edge; stride 1, weights `[out, in, k, k]`.
    var kernel: Int
    var inChannels: Int
    var outChannels: Int
    /// Input spatial size.
    var height: Int
    var width: Int
    var source: FeatureMap.Element
    var destination: FeatureMap.Element
    var weights: [Float]
    var weightElement: FeatureMap.Element
    /// Fused as the primitive's bias (added before post-ops); nil when the bias is a `shift` post-op.
    var bias: [Float]?
    var postOps: [PostOp]
    /// Zero padding before the first row and column; after the last it is k - 1 minus this, so the output has the
    /// input's size. nil: k / 2 on both sides (odd k). Even kernels need it (`TransposedPhases`).
    var leadingPadding: (top: Int, left: Int)? = nil
}

/// A created convolution primitive with its weights already in the layout it chose.
/// Immutable after creation; oneDNN primitives may run concurrently from several threads when the scratchpad is
/// user-provided (dnnl.h `dnnl_scratchpad_mode_user`), which `execute` does per call.
final class ConvolutionPrimitive: @unchecked Sendable {
    let spec: ConvolutionSpec
    private let primitive: dnnl_primitive_t
    private let weights: DNNLOwnedMemory
    private let bias: DNNLOwnedMemory?
    private let postOpArguments: [(arg: Int32, memory: DNNLOwnedMemory)]
    /// The `.scale` post-op's argument id and values, for per-call rescaling.
    private let scalePostOp: (arg: Int32, values: [Float])?
    private let scratchpadBytes: Int
    /// oneDNN's implementation name (e.g. `jit:avx512_core`), for benchmarks and to catch slow `ref` fallbacks.
    let implementation: String

    init(_ spec: ConvolutionSpec) throws(DNNLError) {
        self.spec = spec
        let engine = DNNLEngine.shared.handle
        let k = spec.kernel
        let weightDims = [spec.outChannels, spec.inChannels, k, k]
        var src = try dnnlMemoryDesc([1, spec.inChannels, spec.height, spec.width], spec.source.dnnl, dnnl_nhwc)
        var dst = try dnnlMemoryDesc([1, spec.outChannels, spec.height, spec.width], spec.destination.dnnl, dnnl_nhwc)
        var wei = try dnnlMemoryDesc(weightDims, spec.weightElement.dnnl, dnnl_format_tag_any)
        // A zero descriptor disables the bias term (dnnl.h, dnnl_convolution_forward_desc_init).
        var biasDesc =
            spec.bias == nil ? dnnl_memory_desc_t() : try dnnlMemoryDesc([spec.outChannels], dnnl_f32, dnnl_a)
        let strides: [dnnl_dim_t] = [1, 1]
        let lead = spec.leadingPadding ?? (k / 2, k / 2)
        let paddingL: [dnnl_dim_t] = [dnnl_dim_t(lead.top), dnnl_dim_t(lead.left)]
        let paddingR: [dnnl_dim_t] = [dnnl_dim_t(k - 1 - lead.top), dnnl_dim_t(k - 1 - lead.left)]

        var attr: dnnl_primitive_attr_t?
        try dnnlCheck(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attr) }
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "set_scratchpad_mode")
        var postOps: dnnl_post_ops_t?
        try dnnlCheck(dnnl_post_ops_create(&postOps), "dnnl_post_ops_create")
        defer { dnnl_post_ops_destroy(postOps) }
        var extra: [(Int32, DNNLOwnedMemory)] = []
        var scaleArgument: (arg: Int32, values: [Float])?
        for (index, op) in spec.postOps.enumerated() {
            let perChannel = try dnnlMemoryDesc([1, spec.outChannels, 1, 1], dnnl_f32, dnnl_abcd)
            switch op {
            case .scale(let values), .shift(let values):
                var md = perChannel
                let alg = if case .scale = op { dnnl_binary_mul } else { dnnl_binary_add }
                try dnnlCheck(dnnl_post_ops_append_binary(postOps, alg, &md), "dnnl_post_ops_append_binary")
                let arg = binsr_dnnl_post_op_arg(Int32(index), DNNL_ARG_SRC_1)
                extra.append((arg, try .floats(values, dims: [1, spec.outChannels, 1, 1], tag: dnnl_abcd)))
                if case .scale = op { scaleArgument = (arg, values) }
            case .leakyReLU(let slope):
                try dnnlCheck(
                    dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, slope, 0),
                    "dnnl_post_ops_append_eltwise")
            case .sum:
                try dnnlCheck(dnnl_post_ops_append_sum(postOps, 1), "dnnl_post_ops_append_sum")
            }
        }
        try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, postOps), "dnnl_primitive_attr_set_post_ops")

        var pd: dnnl_primitive_desc_t?
        var desc = dnnl_convolution_desc_t()
        try dnnlCheck(
            dnnl_convolution_forward_desc_init(
                &desc, dnnl_forward_inference, dnnl_convolution_direct,
                &src, &wei, &biasDesc, &dst, strides, paddingL, paddingR),
            "dnnl_convolution_forward_desc_init")
        try dnnlCheck(dnnl_primitive_desc_create(&pd, &desc, attr, engine, nil), "dnnl_primitive_desc_create(conv)")
        defer { dnnl_primitive_desc_destroy(pd) }

        var name: UnsafePointer<CChar>?
        try dnnlCheck(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name), "query impl_info_str")
        implementation = name.map { String(cString: $0) } ?? "?"
        let chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)!.pointee
        let plainWeights = try DNNLOwnedMemory.floats(spec.weights, dims: weightDims, tag: dnnl_oihw)
        weights = try DNNLOwnedMemory(chosen)
        try DNNLReorder.run(from: plainWeights, to: weights)
        bias = try spec.bias.map { values throws(DNNLError) in
            try .floats(values, dims: [spec.outChannels], tag: dnnl_a)
        }
        postOpArguments = extra
        scalePostOp = scaleArgument
        scratchpadBytes = Int(dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)))
        var created: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&created, pd), "dnnl_primitive_create")
        primitive = created!
    }

    deinit { dnnl_primitive_destroy(primitive) }

    /// Runs on `stream`; `destination` must already hold the residual when the spec ends with `.sum`.
    /// `scaleFactor` multiplies the `.scale` post-op's values for this call only.
    /// `weights` replaces the primitive's own for this call (`shiftedWeights`).
    func execute(
        _ source: FeatureMap, into destination: FeatureMap, on stream: DNNLStream, scaleFactor: Float = 1,
        weights: DNNLOwnedMemory? = nil
    ) throws(DNNLError) {
        let src = try source.memory()
        defer { dnnl_memory_destroy(src) }
        let dst = try destination.memory()
        defer { dnnl_memory_destroy(dst) }
        var args = [
            dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: src),
            dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: (weights ?? self.weights).handle),
            dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: dst),
        ]
        if let bias { args.append(dnnl_exec_arg_t(arg: DNNL_ARG_BIAS, memory: bias.handle)) }
        var rescaled: DNNLOwnedMemory?
        if scaleFactor != 1, let scale = scalePostOp {
            rescaled = try .floats(
                scale.values.map { $0 * scaleFactor }, dims: [1, spec.outChannels, 1, 1],
                tag: dnnl_abcd)
        }
        for extra in postOpArguments {
            let memory = extra.arg == scalePostOp?.arg ? rescaled ?? extra.memory : extra.memory
            args.append(dnnl_exec_arg_t(arg: extra.arg, memory: memory.handle))
        }
        var scratchpad: DNNLOwnedMemory?
        if scratchpadBytes > 0 {
            scratchpad = try DNNLOwnedMemory(try dnnlMemoryDesc([scratchpadBytes], dnnl_u8, dnnl_a))
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad!.handle))
        }
        try dnnlCheck(
            dnnl_primitive_execute(primitive, stream.handle, Int32(args.count), args), "dnnl_primitive_execute")
        try dnnlCheck(dnnl_stream_wait(stream.handle), "dnnl_stream_wait")
        withExtendedLifetime((scratchpad, rescaled, weights)) {}
    }

    /// The ±1 weights of an int8 layer with input channel c multiplied by multipliers[c] (1...127), in the
    /// primitive's layout (the reorder also computes oneDNN's s8-source compensation): the weights that read a
    /// `QuantizedMap` whose channels have different steps.
    func scaledWeights(_ multipliers: [Int], on stream: DNNLStream) throws(DNNLError) -> DNNLOwnedMemory {
        precondition(
            spec.weightElement == .s8 && multipliers.count == spec.inChannels
                && multipliers.allSatisfy { (1...127).contains($0) })
        let window = spec.kernel * spec.kernel
        var values = [Int8](repeating: 0, count: spec.weights.count)
        for i in values.indices {
            values[i] = Int8(spec.weights[i] * Float(multipliers[(i / window) % spec.inChannels]))
        }
        let plain = try DNNLOwnedMemory(try plainS8Weights())
        try plain.write(values)
        let converted = try DNNLOwnedMemory(weights.desc)
        try weightReorder().run(from: plain, to: converted, on: stream)
        return converted
    }

    private func plainS8Weights() throws(DNNLError) -> dnnl_memory_desc_t {
        let k = spec.kernel
        return try dnnlMemoryDesc([spec.outChannels, spec.inChannels, k, k], dnnl_s8, dnnl_oihw)
    }

    private let cachedReorder = Mutex<DNNLReorderPrimitive?>(nil)

    /// plain s8 [o, i, k, k] -> this primitive's weight layout (with oneDNN's s8 compensation), made on first use.
    private func weightReorder() throws(DNNLError) -> DNNLReorderPrimitive {
        try cachedReorder.withLock { cached throws(DNNLError) in
            if let cached { return cached }
            let made = try DNNLReorderPrimitive(from: try plainS8Weights(), to: weights.desc)
            cached = made
            return made
        }
    }
}
