import TestSupport
import Dispatch
import Foundation
import Synchronization
import ImageCodecs
import Testing

@testable import SREngine

@Suite struct UpscaleTests {
    static func model(_ name: String, backend: Backend = .oneDNN) throws -> SRModel {
        try SRModel(
            contentsOf: EngineFixtures.engineDirectory.appendingPathComponent("\(name).safetensors"),
            backend: backend)
    }

    static func randomImage(width: Int, height: Int, channels: Int = 3, alpha: Bool = false, seed: UInt64 = 7)
        -> Image
    {
        var rng = SplitMix64(seed: seed)
        let color = (0..<channels * width * height).map { _ in rng.nextUnitFloat() }
        let plane = alpha ? (0..<width * height).map { _ in rng.nextUnitFloat() } : nil
        return Image(
            width: width, height: height, colorChannels: channels, color: color, alpha: plane,
            sourceBitDepth: 16)
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test func tilePlanCoversEveryPixelOnceWithFullMargins() {
        for (h, w, tile, margin) in [(37, 29, 8, 5), (10, 10, 16, 3), (64, 7, 20, 30), (1, 1, 8, 2)] {
            let plan = TilePlan(height: h, width: w, tile: tile, margin: margin)
            var covered = [Int](repeating: 0, count: h * w)
            for t in plan.tiles {
                for y in t.core.y { for x in t.core.x { covered[y * w + x] += 1 } }
                #expect(t.window.y.lowerBound <= max(0, t.core.y.lowerBound - margin))
                #expect(t.window.y.upperBound >= min(h, t.core.y.upperBound + margin))
                #expect(t.window.x.lowerBound <= max(0, t.core.x.lowerBound - margin))
                #expect(t.window.x.upperBound >= min(w, t.core.x.upperBound + margin))
            }
            #expect(covered.allSatisfy { $0 == 1 }, "\(h)x\(w) tile \(tile)")
        }
    }

    @Test func tilePlanSplitsOnlyWhatDoesNotFitAndBalancesTheCores() {
        // Fits in one window (tile + 2 * margin): one tile, not a second one that recomputes the same pixels.
        #expect(TilePlan(height: 200, width: 240, tile: 192, margin: 25).tiles.count == 1)
        // 256 px at tile 192: two balanced cores of 128 per side; each touches the border on one side, so its
        // window is 128 + 25 (one margin, toward the other tile).
        let plan = TilePlan(height: 256, width: 256, tile: 192, margin: 25)
        #expect(plan.tiles.count == 4)
        #expect(plan.tiles.allSatisfy { $0.window.x.count == 153 && $0.window.y.count == 153 })
        #expect(plan.tiles.allSatisfy { $0.core.x.count == 128 && $0.core.y.count == 128 })
        // Three or more per side: interior tiles need a margin on both sides.
        let three = TilePlan(height: 300, width: 10, tile: 100, margin: 20)
        #expect(three.tiles.count == 3 && three.tiles.allSatisfy { $0.window.y.count == 140 })
    }

    /// Tiles sized by a memory budget: the whole image in one pass when it fits, else the largest windows that do.
    @Test func tileSizeFollowsTheMemoryBudget() throws {
        let model = try Self.model("tiny_srresnet_x4_real")
        let perPixel = model.bytesPerInputPixel
        let d = model.description
        #expect(perPixel >= 4 * d.channels * d.scale * d.scale)  // at least the widest map, f32
        // Fits: one pass, no margin computed at all.
        #expect(model.tileSize(width: 300, height: 200, memoryBudget: 300 * 200 * perPixel) == 300)
        // Does not fit: windows (core + 2 margins) within the budget, as large as possible.
        let budget = 100 * 100 * perPixel
        let core = model.tileSize(width: 300, height: 200, memoryBudget: budget)
        let window = core + 2 * model.tileMargin
        #expect(window * window * perPixel <= budget)
        #expect((window + 2) * (window + 2) * perPixel > budget)
        // A tiny budget still gets a usable tile.
        #expect(model.tileSize(width: 4000, height: 4000, memoryBudget: 1) == 32)
        // And the budget-sized upscale equals the untiled one (the margin covers the receptive field).
        let image = Self.randomImage(width: 41, height: 35)
        let whole = try model.upscale(image, tileSize: 64)
        let budgeted = try model.upscale(image, memoryBudget: 20 * 20 * perPixel)
        #expect(Self.maxDifference(whole.color, budgeted.color) <= 1e-4)
    }

    /// The eight transforms of the self-ensemble: distinct, each undone by its inverse, on a non-square image.
    @Test func dihedralTransformsAreDistinctAndInvertible() {
        let (w, h) = (5, 3)
        let planes = (0..<2 * w * h).map(Float.init)
        var seen: [[Float]] = []
        for t in Dihedral.all {
            let (out, ow, oh) = t.apply(planes, width: w, height: h)
            #expect(ow * oh == w * h && (t.turns % 2 == 0 ? ow == w : ow == h))
            #expect(t.invert(out, width: ow, height: oh) == planes)
            seen.append(out)
        }
        #expect(Set(seen.map { $0.map(Int.init) }).count == 8)
        // One quarter turn clockwise by hand: the top-left of the result is the input's bottom-left.
        let (turned, tw, _) = Dihedral(turns: 1, flip: false).apply(planes, width: w, height: h)
        #expect(tw == h && turned[0] == planes[(h - 1) * w] && turned[tw - 1] == planes[0])
    }

    /// Self-ensemble: the right size, gray stays gray, and it is the mean of the eight transformed passes (which
    /// differ from the plain pass: a random tiny network is far from equivariant).
    @Test func selfEnsembleAveragesTheTransformedPasses() throws {
        let model = try Self.model("tiny_srresnet_x2_binary")
        let image = Self.randomImage(width: 13, height: 9, alpha: true)
        let plain = try model.upscale(image)
        let ensemble = try model.upscaleEnsemble(image)
        #expect(ensemble.width == 26 && ensemble.height == 18 && ensemble.alpha == plain.alpha)
        #expect(Self.maxDifference(plain.color, ensemble.color) > 0)
        // Its own mean over the eight passes, recomputed here through the public single-pass API.
        var sum = [Float](repeating: 0, count: plain.color.count)
        for t in Dihedral.all {
            let (planes, w, h) = t.apply(image.color, width: 13, height: 9)
            let out = try model.upscale(Image(width: w, height: h, colorChannels: 3, color: planes))
            for (i, v) in t.invert(out.color, width: out.width, height: out.height).enumerated() { sum[i] += v / 8 }
        }
        #expect(Self.maxDifference(sum, ensemble.color) <= 1e-5)
        let gray = try model.upscaleEnsemble(Self.randomImage(width: 6, height: 4, channels: 1))
        #expect(gray.colorChannels == 1 && gray.color.count == 12 * 8)
    }

    @Test(arguments: ["tiny_srresnet_x4_real", "tiny_lapsrn_x4_binary", "tiny_srresnet_x2_binary"])
    func tiledEqualsUntiled(_ name: String) throws {
        let model = try Self.model(name)
        let image = Self.randomImage(width: 41, height: 35)
        var calls: [(Int, Int)] = []
        let whole = try model.upscale(image, tileSize: 64)
        let tiled = try model.upscale(image, tileSize: 8) { calls.append(($0, $1)) }
        #expect(calls.count == 30 && calls.last! == (30, 30))  // ceil(35/8) * ceil(41/8) tiles
        let err = Self.maxDifference(whole.color, tiled.color)
        #expect(err <= 1e-4, "\(name): tiled vs untiled max abs error \(err)")
        // The equivalence depends on the margin: half the receptive field must show at the tile seams.
        let short = try model.upscale(image, tileSize: 8, margin: model.tileMargin / 2, progress: nil)
        #expect(Self.maxDifference(whole.color, short.color) > 1e-3)
    }

    /// A progress callback that throws stops the upscale at that tile (an asynchronous job deleted while it runs),
    /// in a single pass and in the self-ensemble, whose progress runs over the eight passes.
    @Test func progressCanStopTheUpscaleAtATile() throws {
        let model = try Self.model("tiny_srresnet_x2_binary")
        let image = Self.randomImage(width: 41, height: 35)  // 30 tiles of 8 (tiledEqualsUntiled)
        var seen: [Int] = []
        #expect(throws: InferenceError.self) {
            _ = try model.upscale(image, tileSize: 8) { done, _ throws(InferenceError) in
                seen.append(done)
                if done == 2 { throw .cancelled }
            }
        }
        #expect(seen == [1, 2])
        var fractions: [Double] = []
        #expect(throws: InferenceError.self) {
            _ = try model.upscaleEnsemble(image, tileSize: 8) { done, total throws(InferenceError) in
                fractions.append(Double(done) / Double(total))
                if done == 9 { throw .cancelled }
            }
        }
        #expect(fractions.count == 9 && fractions == fractions.sorted() && fractions.last! == 9.0 / 240)
    }

    /// An x4 LapSRN also upscales by 2: its first level's output, from a network stopped after that level.
    @Test func lapsrnServesItsCoarserLevel() throws {
        let model = try Self.model("tiny_lapsrn_x4_binary")
        #expect(model.description.scales == [2, 4])
        let image = Self.randomImage(width: 11, height: 7)
        let x2 = try model.upscale(image, scale: 2, tileSize: 8)
        #expect(x2.width == 22 && x2.height == 14)
        let levels = try Self.model("tiny_lapsrn_x4_binary", backend: .reference)
            .forward(Tensor(channels: 3, height: 7, width: 11, data: image.rgb().color))
        #expect(levels.count == 2 && levels[0].width == 22)
        #expect(Self.maxDifference(x2.color, levels[0].data.map { min(max($0, 0), 1) }) <= 1e-4)
        #expect(throws: InferenceError.self) { try model.upscale(image, scale: 8) }
        #expect(throws: InferenceError.self) { try Self.model("tiny_srresnet_x4_real").upscale(image, scale: 2) }
    }

    @Test func wholeImageMatchesReferenceBackend() throws {
        let image = Self.randomImage(width: 9, height: 6)
        let fast = try Self.model("tiny_lapsrn_x4_binary").upscale(image)
        let slow = try Self.model("tiny_lapsrn_x4_binary", backend: .reference).upscale(image)
        #expect(Self.maxDifference(fast.color, slow.color) <= 1e-4)
    }

    @Test func grayscaleComesBackAsTheMeanOfRGB() throws {
        let model = try Self.model("tiny_srresnet_x2_binary")
        let gray = Self.randomImage(width: 12, height: 10, channels: 1)
        let out = try model.upscale(gray)
        #expect(out.colorChannels == 1 && out.width == 24 && out.height == 20 && out.sourceBitDepth == 16)
        let rgb = try model.upscale(gray.rgb())
        let plane = 24 * 20
        let mean = (0..<plane).map { (rgb.color[$0] + rgb.color[plane + $0] + rgb.color[2 * plane + $0]) / 3 }
        #expect(Self.maxDifference(out.color, mean) <= 1e-6)
    }

    @Test func alphaIsUpscaledBicubicallyAndClamped() throws {
        let model = try Self.model("tiny_srresnet_x2_binary")
        // A step 0,0,1,1 along x: output x = 3 has centre 1.25, taps 0..3, value keys(0.75) + keys(1.75) = 0.203125.
        let image = Image(
            width: 4, height: 1, colorChannels: 3, color: [Float](repeating: 0.5, count: 12),
            alpha: [0, 0, 1, 1])
        let alpha = try #require(try model.upscale(image).alpha)
        #expect(alpha.count == 8 * 2)
        #expect(abs(alpha[3] - 0.203125) < 1e-6)
        #expect(alpha[3] == alpha[8 + 3])  // rows identical: the input has one row
        #expect(alpha.allSatisfy { $0 >= 0 && $0 <= 1 })  // the overshoot at the step is clamped
        #expect(alpha[0] == 0 && alpha[7] == 1)
    }

    @Test func rejectsBadInputs() throws {
        let model = try Self.model("tiny_srresnet_x2_binary")
        #expect(throws: InferenceError.self) { try model.upscale(Self.randomImage(width: 4, height: 4), tileSize: 2) }
        #expect(throws: InferenceError.self) {
            try model.forward(Tensor(zeros: 1, 4, 4))
        }
    }

    @Test func concurrentCallsOnOneModelAgreeWithSerial() throws {
        let model = try Self.model("tiny_srresnet_x4_real")
        let images = (0..<6).map { Self.randomImage(width: 20 + $0, height: 17, seed: UInt64($0)) }
        let serial = try images.map { try model.upscale($0, tileSize: 12).color }
        let results = LockedResults(count: images.count)
        DispatchQueue.concurrentPerform(iterations: images.count * 2) { i in
            let k = i % images.count
            results.set(k, (try? model.upscale(images[k], tileSize: 12).color) ?? [])
        }
        for k in 0..<images.count { #expect(results.get(k) == serial[k]) }
    }
}

final class LockedResults: Sendable {
    private let values: Mutex<[[Float]]>

    init(count: Int) { values = Mutex(Array(repeating: [], count: count)) }
    func set(_ i: Int, _ v: [Float]) { values.withLock { $0[i] = v } }
    func get(_ i: Int) -> [Float] { values.withLock { $0[i] } }
}
