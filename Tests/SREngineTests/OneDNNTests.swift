import TestSupport
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
    @Test(arguments: EngineFixtures.all.map(\.name), [Precision.bf16, .int8, .bf16All, .int8BF16])
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
        if !weights.description.binary && !precision.roundsToBF16 { #expect(err <= 1e-4) }
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
    @Test func namesParseAndAutoIsNotAFixedMode() throws {
        #expect(Precision(named: "bf16-all") == .bf16All && Precision(named: "fp32") == .fp32)
        #expect(Precision(named: "int8-bf16") == .int8BF16)
        #expect(Precision(named: "fp16") == nil && Precision(named: "") == nil)
        #expect(Precision.names == ["auto", "fp32", "bf16", "int8", "bf16-all", "int8-bf16"])
        // `auto` is decided per model by measurement (PrecisionTuner), never by a name or a CPU flag.
        #expect(Precision(named: "auto") == nil)
        #expect(throws: InferenceError.self) { try PrecisionTuner().resolve("fast", for: URL(fileURLWithPath: "/x")) }
    }

    /// int8 and int8-bf16 against the reference backend on odd shapes (every layer kind, residual sums): the bound
    /// is relative to the output range, as for the other low-precision modes.
    @Test(arguments: [(5, 7), (13, 3), (17, 20)])
    func int8MatchesReferenceOnOddShapes(_ size: (Int, Int)) throws {
        var rng = SplitMix64(seed: 7)
        for fixture in EngineFixtures.all {
            let weights = try ModelWeights(contentsOf: fixture.weights)
            let input = Tensor(
                channels: 3, height: size.0, width: size.1,
                data: (0..<3 * size.0 * size.1).map { _ in rng.nextUnitFloat() })
            let want = try SRModel(weights: weights, backend: .reference).forward(input).last!
            let range = want.data.map(abs).max()!
            for mode in [Precision.int8, .int8BF16] {
                let got = try SRModel(weights: weights, precision: mode).forward(input).last!
                let err = EngineFixtures.maxAbsDifference(got, want)
                #expect(err <= 0.02 * range, "\(fixture.name) \(mode) \(size): error \(err), range \(range)")
            }
        }
    }
}

/// The int8 activation quantizer: one scale per tensor refined by a power of two per channel.
@Suite struct QuantizationTests {
    /// Channels whose ranges differ by up to 1000x: each is read back within half its own step, the steps are
    /// integer multiples of one base step (so ±1 weights times them stay exact in int8), nothing clips, and a
    /// PReLU is applied.
    @Test func perChannelStepsKeepSmallChannelsPrecise() {
        var rng = SplitMix64(seed: 3)
        let (c, h, w) = (16, 5, 7)
        let ranges: [Float] = (0..<c).map { [100, 1, 0.1, 3, 0.5, 20, 0.25, 7][$0 % 8] }
        let slopes: [Float] = (0..<c).map { Float($0) / 20 - 0.2 }
        let map = FeatureMap(channels: c, height: h, width: w)
        for i in 0..<map.count { map.floats[i] = (2 * rng.nextUnitFloat() - 1) * ranges[i % c] }
        let q = map.quantizedS8(slopes: slopes, maxMultiplier: 127)
        let codes = q.map.raw.assumingMemoryBound(to: Int8.self)
        let prelu = (0..<map.count).map { i -> Float in
            let v = map.floats[i]
            return v < 0 ? v * slopes[i % c] : v
        }
        let top = prelu.map(abs).max()!
        #expect(abs(q.scale - top / 127 / 127) <= 1e-6 * top)
        for ch in 0..<c {
            let step = q.scale * Float(q.multipliers[ch])
            let largest = stride(from: ch, to: map.count, by: c).map { abs(prelu[$0]) }.max()!
            // The finest multiple of the base step (up to 127 of them) that still holds the channel's largest value.
            #expect((1...127).contains(q.multipliers[ch]))
            #expect(largest <= 127 * step * 1.0001)
            #expect(q.multipliers[ch] == 1 || largest > 127 * q.scale * Float(q.multipliers[ch] - 1))
            for i in stride(from: ch, to: map.count, by: c) {
                #expect(abs(Float(codes[i]) * step - prelu[i]) <= step / 2 * 1.0001)
                #expect(abs(Int(codes[i])) <= 127)
            }
        }
        // A channel of 1/1000 the widest one's range gets a step 127x finer than one step for the whole tensor.
        #expect(q.multipliers.min() == 1 && q.multipliers.max() == 127)
    }

    @Test func zeroMapQuantizesToZeros() {
        let map = FeatureMap(channels: 16, height: 2, width: 2)
        for i in 0..<map.count { map.floats[i] = 0 }
        let q = map.quantizedS8(maxMultiplier: 127)
        #expect(q.scale == 1)
        #expect((0..<map.count).allSatisfy { q.map.raw.assumingMemoryBound(to: Int8.self)[$0] == 0 })
    }
}

/// `auto`: gates, the decision on injected timings, and the cache's invalidation.
@Suite struct PrecisionChoiceTests {
    static let gate = QualityGate(
        weights: "w", fp32: ["Set5_x4": 30.7, "Set14_x4": 27.7],
        changes: [
            "bf16-all": ["Set5_x4": -0.004, "Set14_x4": 0.001],
            "int8": ["Set5_x4": -0.03, "Set14_x4": -0.01],  // Set5 outside 0.02 dB
            "int8-bf16": ["Set5_x4": -0.01],  // Set14 never measured
            "bf16": ["Set5_x4": 0.0, "Set14_x4": 0.0],
        ])

    @Test func gateAdmitsOnlyModesMeasuredWithinTolerance() {
        let gate = Self.gate
        #expect(gate.admits(.fp32) && gate.admits(.bf16All) && gate.admits(.bf16))
        #expect(!gate.admits(.int8) && !gate.admits(.int8BF16))
        #expect(PrecisionChoice.candidates(binary: true, gate: gate) == [.fp32, .bf16, .bf16All])
        var open = gate
        open.changes["int8"] = ["Set5_x4": 0.01, "Set14_x4": 0.01]
        #expect(PrecisionChoice.candidates(binary: true, gate: open, vnni: true) == [.fp32, .bf16, .int8, .bf16All])
        #expect(PrecisionChoice.candidates(binary: true, gate: open, vnni: false) == [.fp32, .bf16, .bf16All])
        #expect(PrecisionChoice.candidates(binary: false, gate: gate) == [.fp32, .bf16All])
        #expect(PrecisionChoice.candidates(binary: true, gate: nil) == [.fp32])
    }

    @Test func decidesTheFastestAdmittedModeAndNeverOneOutsideTheGate() {
        let timings: [Precision: Double] = [.fp32: 300, .int8: 100, .int8BF16: 90, .bf16All: 170, .bf16: 250]
        let choice = PrecisionChoice.decide(timings: timings, gate: Self.gate)
        #expect(choice.mode == .bf16All)  // int8 and int8-bf16 are faster but not admitted
        #expect(choice.timings["int8-bf16"] == 90)
        #expect(PrecisionChoice.decide(timings: timings, gate: nil).mode == .fp32)
        // A mode must beat fp32 by 5% to be worth its accuracy cost; a slower bf16 loses to fp32.
        #expect(PrecisionChoice.decide(timings: [.fp32: 100, .bf16All: 97], gate: Self.gate).mode == .fp32)
        #expect(PrecisionChoice.decide(timings: [.fp32: 100, .bf16All: 186], gate: Self.gate).mode == .fp32)
        #expect(PrecisionChoice.decide(timings: [.fp32: 100, .bf16All: 90], gate: Self.gate).mode == .bf16All)
    }

    @Test func gateFileBelongsToItsWeights() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("m.safetensors")
        try Data([1, 2, 3]).write(to: weights)
        let fingerprint = try WeightsFingerprint.of(weights)
        var gate = Self.gate
        gate.weights = fingerprint
        try gate.write(forWeights: weights)
        #expect(QualityGate.url(forWeights: weights).lastPathComponent == "m.gate.json")
        #expect(QualityGate.load(forWeights: weights, fingerprint: fingerprint) == gate)
        try Data([1, 2, 4]).write(to: weights)  // retrained weights: the old gate no longer applies
        let changed = try WeightsFingerprint.of(weights)
        #expect(changed != fingerprint)
        #expect(QualityGate.load(forWeights: weights, fingerprint: changed) == nil)
    }

    @Test func cacheIsKeyedByCPULibraryAndWeights() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let cache = PrecisionCache(file: file)
        let here = PrecisionCache.signature(weights: "w1", cpu: "CPU A flags 1")
        cache.store(PrecisionChoice(mode: .int8BF16, timings: ["fp32": 2, "int8-bf16": 1]), for: here)
        #expect(cache.lookup(here)?.mode == .int8BF16)
        #expect(cache.lookup(PrecisionCache.signature(weights: "w2", cpu: "CPU A flags 1")) == nil)
        #expect(cache.lookup(PrecisionCache.signature(weights: "w1", cpu: "CPU B flags 1")) == nil)
        #expect(here.contains("onednn ") && here.contains("isa "))
        // A corrupt cache file is a miss, not a crash.
        try Data("{not json".utf8).write(to: file)
        #expect(cache.lookup(here) == nil)
    }

    /// The tuner times every candidate on a real (tiny) model and caches the decision.
    @Test func tunerMeasuresCandidatesAndCaches() throws {
        let fixture = try #require(EngineFixtures.all.first { $0.name.contains("binary") } ?? EngineFixtures.all.first)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tuner-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let tuner = PrecisionTuner(cache: PrecisionCache(file: file), edge: 16, runs: 1)
        #expect(tuner.cached(fixture.weights) == nil)
        let choice = try tuner.measure(fixture.weights)
        #expect(choice.timings["fp32"] != nil)
        #expect(tuner.cached(fixture.weights) == choice)
        #expect(try tuner.resolve("auto", for: fixture.weights) == choice.mode)
        #expect(try tuner.resolve("int8", for: fixture.weights) == .int8)
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
