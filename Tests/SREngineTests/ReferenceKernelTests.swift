import Testing

@testable import SREngine

/// Hand-computed cases: each expected value below was worked out on paper from the layer definitions.
@Suite struct ReferenceKernelTests {
    @Test func convPadsWithZeros() {
        // 1 channel 3x3 input 1..9, 3x3 all-ones kernel, bias 0.5: each output is the sum of its in-image neighbours.
        let x = Tensor(channels: 1, height: 3, width: 3, data: (1...9).map(Float.init))
        let y = ReferenceKernels.conv2d(x, weights: [Float](repeating: 1, count: 9), outChannels: 1, kernel: 3,
                                        bias: [0.5])
        let sums: [Float] = [12, 21, 16, 27, 45, 33, 24, 39, 28]
        #expect(y.data == sums.map { $0 + 0.5 })
    }

    @Test func convMixesChannelsWithRowMajorWeights() {
        // 2 input channels, 1x1 kernel: out0 = 2*a - b, out1 = b + 1 (bias).
        let x = Tensor(channels: 2, height: 1, width: 2, data: [1, 2, 10, 20])
        let y = ReferenceKernels.conv2d(x, weights: [2, -1, 0, 1], outChannels: 2, kernel: 1, bias: [0, 1])
        #expect(y.data == [-8, -16, 11, 21])
    }

    @Test func binaryConvUnpacksLeastSignificantBitFirst() {
        // in = 1, k = 3: 9 signs in 2 bytes. Byte 0 = 0b0000_0101 -> signs 0 and 2 are +1, the rest of byte 0 is -1;
        // byte 1 bit 0 = 1 -> sign 8 (bottom-right tap) is +1.
        let layer = ConvLayer(name: "b", inChannels: 1, outChannels: 1, kernel: 3,
                              weights: .binary(bits: [0b0000_0101, 0b1], alpha: [-0.5]), bias: [0.25])
        #expect(layer.signs() == [1, -1, 1, -1, -1, -1, -1, -1, 1])
        // A single 1 in the centre of a 3x3 input reads the flipped kernel: y(oy, ox) = S[2 - oy][2 - ox]... at the
        // centre output, only the centre tap sees it: -1 * alpha + b = 0.5 + 0.25.
        var x = Tensor(zeros: 1, 3, 3)
        x.data[4] = 1
        let y = ReferenceKernels.conv(x, layer)
        #expect(y.data[4] == 0.75)
        // Top-left output sees the input centre through tap (ky, kx) = (2, 2), sign +1: -0.5 + 0.25.
        #expect(y.data[0] == -0.25)
    }

    @Test func transposedConvDoublesSizeAndScattersWithOffsetOne() {
        // 1x1 input of value 2: output (oy, ox) takes tap (oy + 1, ox + 1), i.e. the centre 2x2 of the kernel.
        let w = (0..<16).map(Float.init)
        let layer = TransposedConvLayer(name: "t", inChannels: 1, outChannels: 1, weights: w, bias: [1])
        let y = ReferenceKernels.transposedConv(Tensor(channels: 1, height: 1, width: 1, data: [2]), layer)
        #expect(y.height == 2 && y.width == 2)
        let expected: [Float] = [11, 13, 19, 21]  // 2 * [5, 6, 9, 10] + 1
        #expect(y.data == expected)
    }

    @Test func pixelShuffleFollowsPyTorchChannelOrder() {
        // 4 channels of one pixel each -> one 2x2 channel laid out as [c0 c1; c2 c3].
        let x = Tensor(channels: 4, height: 1, width: 1, data: [1, 2, 3, 4])
        #expect(ReferenceKernels.pixelShuffle2(x).data == [1, 2, 3, 4])
        // Two pixels wide: the 2x2 blocks sit side by side.
        let wide = Tensor(channels: 4, height: 1, width: 2, data: [1, 5, 2, 6, 3, 7, 4, 8])
        #expect(ReferenceKernels.pixelShuffle2(wide).data == [1, 2, 5, 6, 3, 4, 7, 8])
    }

    @Test func preluUsesPerChannelOrSharedSlopes() {
        let x = Tensor(channels: 2, height: 1, width: 2, data: [-2, 3, -4, 0])
        #expect(ReferenceKernels.prelu(x, PReLULayer(name: "p", slopes: [0.5, 0.25])).data == [-1, 3, -1, 0])
        #expect(ReferenceKernels.prelu(x, PReLULayer(name: "p", slopes: [0.5])).data == [-1, 3, -2, 0])
    }
}
