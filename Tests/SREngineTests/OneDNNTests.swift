import Foundation
import Testing

@testable import SREngine

/// The oneDNN backend against the reference (the oracle) and against PyTorch.
@Suite struct OneDNNTests {
    @Test(arguments: EngineFixtures.tiny.map(\.name))
    func fp32MatchesPyTorchOnTinyModels(_ name: String) throws {
        let fixture = try #require(EngineFixtures.tiny.first { $0.name == name })
        try GoldenTests.check(fixture) { weights, input in
            try SRModel(weights: weights, precision: .fp32, backend: .oneDNN).forward(input)
        }
    }

    @Test(.enabled(if: !EngineFixtures.golden.isEmpty, "no golden vectors exported yet"))
    func fp32MatchesGoldenVectors() throws {
        for fixture in EngineFixtures.golden {
            try GoldenTests.check(fixture) { weights, input in
                try SRModel(weights: weights, precision: .fp32, backend: .oneDNN).forward(input)
            }
        }
    }

    /// bf16 rounds the activations entering binary layers (8-bit significand) and int8 quantizes them to 255
    /// levels, so both are held to a looser bound relative to the output range; `binsr bench` reports the
    /// deviation on full-size networks.
    @Test(arguments: EngineFixtures.all.map(\.name), [Precision.bf16, .int8, .bf16All])
    func lowPrecisionStaysCloseToPyTorch(_ name: String, _ precision: Precision) throws {
        let fixture = try #require(EngineFixtures.named(name))
        let weights = try ModelWeights(contentsOf: fixture.weights)
        let io = try SafeTensorsFile(contentsOf: fixture.io)
        let input = try EngineFixtures.tensor(io, "input")
        let want = try EngineFixtures.expectedOutputs(io).last!
        let model = try SRModel(weights: weights, precision: precision)
        let got = try model.forward(input).last!
        let err = EngineFixtures.maxAbsDifference(got, want)
        let range = want.data.map(abs).max()!
        #expect(err <= 0.02 * range, "\(name): \(precision) max abs error \(err), output range \(range)")
        // Real models have no binary layers: binary-layer modes must not touch them.
        if !weights.description.binary && precision != .bf16All { #expect(err <= 1e-4) }
        // No slow reference kernel may sneak in.
        let kernels = model.implementations(height: input.height, width: input.width).values
        #expect(!kernels.contains { $0.hasPrefix("ref") }, "\(Set(kernels))")
    }

    /// Random odd shapes with a fixed seed: every layer kind, per-channel and shared slopes, residual sums.
    @Test(arguments: [(5, 7), (1, 1), (13, 3), (17, 20)])
    func matchesReferenceOnOddShapes(_ size: (Int, Int)) throws {
        var rng = SplitMix64(seed: 42)
        for fixture in EngineFixtures.all {
            let weights = try ModelWeights(contentsOf: fixture.weights)
            let input = Tensor(
                channels: 3, height: size.0, width: size.1,
                data: (0..<3 * size.0 * size.1).map { _ in rng.nextUnitFloat() })
            let want = try SRModel(weights: weights, backend: .reference).forward(input)
            let got = try SRModel(weights: weights, backend: .oneDNN).forward(input)
            #expect(got.count == want.count)
            for (g, w) in zip(got, want) {
                let err = EngineFixtures.maxAbsDifference(g, w)
                #expect(err <= 1e-4, "\(fixture.name) at \(size): max abs error \(err)")
            }
        }
    }
}

/// A small deterministic generator (Steele et al., SplitMix64) so test inputs do not depend on the platform RNG.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

@Suite struct NarrowConvolutionTests {
    /// The tap-sum formulation against the loop conv, in one strip and in one-row strips (halo handling).
    @Test(arguments: [(9, 3, 13, 11), (3, 3, 5, 8), (5, 7, 1, 9), (9, 3, 2, 1)])
    func matchesReferenceConv(_ shape: (k: Int, n: Int, h: Int, w: Int)) throws {
        var rng = SplitMix64(seed: 3)
        let cin = 5
        let layer = ConvLayer(
            name: "narrow", inChannels: cin, outChannels: shape.n, kernel: shape.k,
            weights: .real((0..<shape.n * cin * shape.k * shape.k).map { _ in rng.nextUnitFloat() - 0.5 }),
            bias: (0..<shape.n).map { _ in rng.nextUnitFloat() })
        let x = Tensor(
            channels: cin, height: shape.h, width: shape.w,
            data: (0..<cin * shape.h * shape.w).map { _ in rng.nextUnitFloat() - 0.5 })
        let residual = Tensor(
            channels: shape.n, height: shape.h, width: shape.w,
            data: (0..<shape.n * shape.h * shape.w).map { _ in rng.nextUnitFloat() })
        let want = ReferenceKernels.add(ReferenceKernels.conv(x, layer), residual)
        for stripBytes in [1, 48 << 20] {
            let narrow = NarrowConvolution(
                layer: layer, plan: ShapePlan(), stream: try DNNLStream(),
                stripBytes: stripBytes)
            let got = try narrow.run(FeatureMap(planar: x), adding: FeatureMap(planar: residual)).planar()
            #expect(EngineFixtures.maxAbsDifference(got, want) <= 1e-5, "k \(shape.k) strip bytes \(stripBytes)")
        }
    }
}

@Suite struct PhaseTailTests {
    @Test func splitIsFloorDivisionByTwo() {
        for v in -9...9 {
            let (d, q) = PhaseTail.split(v)
            #expect(2 * d + q == v && (q == 0 || q == 1), "\(v) -> \(d), \(q)")
        }
    }

    /// The phase formulation of `tail(prelu(pixelShuffle2(conv(x))))` against the reference kernels, on odd sizes
    /// (1-pixel images, sizes below the kernel's reach) and on shared and per-channel slopes.
    @Test(arguments: [(9, 1, 1, 3), (9, 5, 7, 8), (3, 4, 3, 1), (5, 2, 9, 8), (7, 6, 2, 1)])
    func matchesShuffleThenConv(_ shape: (k: Int, h: Int, w: Int, slopes: Int)) throws {
        var rng = SplitMix64(seed: 11)
        let (c, n) = (8, 3)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in rng.nextUnitFloat() - 0.5 } }
        let conv = ConvLayer(name: "up", inChannels: 5, outChannels: 4 * c, kernel: 3,
                             weights: .real(random(4 * c * 5 * 9)), bias: random(4 * c))
        let prelu = PReLULayer(name: "p", slopes: random(shape.slopes == 1 ? 1 : c))
        let tail = ConvLayer(name: "tail", inChannels: c, outChannels: n, kernel: shape.k,
                             weights: .real(random(n * c * shape.k * shape.k)), bias: random(n))
        let x = Tensor(channels: 5, height: shape.h, width: shape.w, data: random(5 * shape.h * shape.w))
        let reference = ReferenceBackend()
        let want = reference.conv(reference.upsample(x, conv, prelu: prelu), tail, prelu: nil, adding: nil)
        let backend = OneDNNBackend(plan: ShapePlan(), precision: .fp32, stream: try DNNLStream())
        let got = try backend.upsample(FeatureMap(planar: x), conv, prelu: prelu, then: tail).planar()
        #expect(got.height == 2 * shape.h && got.width == 2 * shape.w && got.channels == n)
        #expect(EngineFixtures.maxAbsDifference(got, want) <= 1e-5, "\(shape)")
    }
}

@Suite struct PrecisionTests {
    @Test func namesParseAndAutoFollowsTheCPU() throws {
        #expect(Precision(named: "bf16-all") == .bf16All && Precision(named: "fp32") == .fp32)
        #expect(Precision(named: "fp16") == nil && Precision(named: "") == nil)
        #expect(Precision.names == ["auto", "fp32", "bf16", "int8", "bf16-all"])
        #expect(Precision(named: "auto") == Precision.recommended)
        // Independent of oneDNN's detection: the kernel's CPU flags (Linux).
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let flags = Set(cpuinfo.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            let native = flags.contains("avx512_bf16") || flags.contains("amx_bf16")
            #expect(Precision.recommended == (native ? .bf16All : .fp32))
        }
    }
}

/// LapSRN's transposed convs on their output parities (2x2 convs with asymmetric padding), against the reference
/// kernels: the plain transposed conv, and a whole level with and without its full-resolution features.
@Suite struct TransposedPhasesTests {
    static func random(_ count: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in rng.nextUnitFloat() - 0.5 }
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 4), (6, 2, 1), (7, 7, 4)])
    func transposedConvMatchesReference(_ shape: (h: Int, w: Int, slopes: Int)) throws {
        var rng = SplitMix64(seed: 5)
        let (cin, cout) = (5, 4)
        let layer = TransposedConvLayer(
            name: "up", inChannels: cin, outChannels: cout, weights: Self.random(cin * cout * 16, &rng),
            bias: Self.random(cout, &rng))
        let prelu = PReLULayer(name: "p", slopes: Self.random(shape.slopes, &rng))
        let x = Tensor(channels: cin, height: shape.h, width: shape.w, data: Self.random(cin * shape.h * shape.w, &rng))
        let want = ReferenceBackend().transposedConv(x, layer, prelu: prelu)
        let backend = OneDNNBackend(plan: ShapePlan(), precision: .fp32, stream: try DNNLStream())
        let got = try backend.transposedConv(FeatureMap(planar: x), layer, prelu: prelu).planar()
        #expect(got.height == 2 * shape.h && got.width == 2 * shape.w)
        #expect(EngineFixtures.maxAbsDifference(got, want) <= 1e-5, "\(shape)")
    }

    /// The parity formulation of a level (image branch stacked into one 3 -> 12 conv, residual conv split over the
    /// parities) against the reference's literal graph, in fp32 (exact up to summation order) and bf16-all.
    @Test(arguments: [(1, 1, 1, true), (4, 3, 1, false), (5, 6, 8, true), (2, 7, 8, false)])
    func levelMatchesReference(_ shape: (h: Int, w: Int, slopes: Int, keep: Bool)) throws {
        var rng = SplitMix64(seed: 9)
        let c = 8
        let level = LapSRNLevel(
            body: [],
            up: TransposedConvLayer(
                name: "up", inChannels: c, outChannels: c, weights: Self.random(c * c * 16, &rng),
                bias: Self.random(c, &rng)),
            upPReLU: PReLULayer(name: "p", slopes: Self.random(shape.slopes, &rng)),
            imageUp: TransposedConvLayer(
                name: "img", inChannels: 3, outChannels: 3, weights: Self.random(3 * 3 * 16, &rng),
                bias: Self.random(3, &rng)),
            residual: ConvLayer(
                name: "res", inChannels: c, outChannels: 3, kernel: 3, weights: .real(Self.random(3 * c * 9, &rng)),
                bias: Self.random(3, &rng)))
        let g = Tensor(channels: c, height: shape.h, width: shape.w, data: Self.random(c * shape.h * shape.w, &rng))
        let image = Tensor(channels: 3, height: shape.h, width: shape.w, data: Self.random(3 * shape.h * shape.w, &rng))
        let want = try ReferenceBackend().lapsrnLevel(g, level, image: image, keepFeatures: true)
        for (precision, bound) in [(Precision.fp32, Float(1e-5)), (.bf16All, 0.02)] {
            let backend = OneDNNBackend(plan: ShapePlan(), precision: precision, stream: try DNNLStream())
            let got = try backend.lapsrnLevel(
                FeatureMap(planar: g), level, image: FeatureMap(planar: image), keepFeatures: shape.keep)
            #expect(EngineFixtures.maxAbsDifference(got.image.planar(), want.image) <= bound, "\(shape) \(precision)")
            #expect((got.features != nil) == shape.keep)
            if let features = got.features {
                #expect(EngineFixtures.maxAbsDifference(features.planar(), want.features!) <= bound)
            }
        }
    }
}
