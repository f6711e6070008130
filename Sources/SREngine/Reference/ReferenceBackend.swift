/// Runs the graph with `ReferenceKernels`, unfused, in the order the weight-format doc writes it.
struct ReferenceBackend: InferenceBackend {
    func conv(_ x: Tensor, _ layer: ConvLayer, prelu: PReLULayer?, adding residual: Tensor?) -> Tensor {
        var y = ReferenceKernels.conv(x, layer)
        if let prelu { y = ReferenceKernels.prelu(y, prelu) }
        if let residual { y = ReferenceKernels.add(y, residual) }
        return y
    }

    func transposedConv(_ x: Tensor, _ layer: TransposedConvLayer, prelu: PReLULayer?) -> Tensor {
        let y = ReferenceKernels.transposedConv(x, layer)
        return prelu.map { ReferenceKernels.prelu(y, $0) } ?? y
    }

    func upsample(_ x: Tensor, _ conv: ConvLayer, prelu: PReLULayer) -> Tensor {
        ReferenceKernels.prelu(ReferenceKernels.pixelShuffle2(ReferenceKernels.conv(x, conv)), prelu)
    }
}
