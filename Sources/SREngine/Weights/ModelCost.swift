/// Multiply-adds of one forward pass, per output pixel, split into binary and real layers (the paper's Table 4).
/// A conv at resolution r (relative to the input) costs in * out * k^2 per pixel of its own output, i.e.
/// in * out * k^2 * (r / scale)^2 per final output pixel; a k4 s2 transposed conv costs in * out * 4 per pixel of its
/// (2x) output, since each output pixel receives 4 of the 16 taps.
public struct ModelCost: Sendable, Equatable {
    public var realMACsPerOutputPixel = 0.0
    public var binaryMACsPerOutputPixel = 0.0

    public var macsPerOutputPixel: Double { realMACsPerOutputPixel + binaryMACsPerOutputPixel }
    public var binaryShare: Double { macsPerOutputPixel == 0 ? 0 : binaryMACsPerOutputPixel / macsPerOutputPixel }
}

extension ModelWeights {
    public var cost: ModelCost {
        var cost = ModelCost()
        let scale = Double(description.scale)
        func conv(_ layer: ConvLayer, at resolution: Double) {
            let macs = Double(layer.weightCount) * (resolution / scale) * (resolution / scale)
            if layer.isBinary { cost.binaryMACsPerOutputPixel += macs } else { cost.realMACsPerOutputPixel += macs }
        }
        func transposed(_ layer: TransposedConvLayer, outputResolution r: Double) {
            cost.realMACsPerOutputPixel += Double(layer.inChannels * layer.outChannels * 4) * (r / scale) * (r / scale)
        }
        func blocks(_ body: [ResidualBlock], at r: Double) {
            for block in body {
                conv(block.conv1, at: r)
                conv(block.conv2, at: r)
            }
        }
        switch network {
        case .srresnet(let net):
            conv(net.headConv, at: 1)
            blocks(net.body, at: 1)
            conv(net.bodyTail, at: 1)
            var r = 1.0
            for step in net.upsample {
                conv(step.conv, at: r)
                r *= 2
            }
            conv(net.tail, at: r)
        case .lapsrn(let net):
            conv(net.headConv, at: 1)
            var r = 1.0
            for level in net.levels {
                blocks(level.body, at: r)
                transposed(level.up, outputResolution: 2 * r)
                transposed(level.imageUp, outputResolution: 2 * r)
                r *= 2
                conv(level.residual, at: r)
            }
        }
        return cost
    }
}
