import Foundation
import Testing

@testable import Evaluation

@Suite("MATLAB bicubic imresize")
struct ImresizeTests {
    @Test("the Keys kernel has its textbook values")
    func keysKernelValues() {
        #expect(keysCubic(0) == 1)
        #expect(keysCubic(1) == 0)
        #expect(keysCubic(2) == 0)
        #expect(keysCubic(0.5) == 0.5625)  // 1.5/8 - 2.5/4 + 1
        #expect(keysCubic(-1.5) == -0.0625)  // -0.5*3.375 + 2.5*2.25 - 6 + 2
        #expect(keysCubic(2.5) == 0)
    }

    @Test(
        "output sizes follow MATLAB's ceil(n * scale)",
        arguments: [
            (17, 13, 0.5, 9, 7), (17, 13, 0.25, 5, 4), (9, 7, 2.0, 18, 14), (5, 4, 4.0, 20, 16), (3, 3, 1.0 / 3, 1, 1),
        ])
    func outputSizes(w: Int, h: Int, scale: Double, outW: Int, outH: Int) throws {
        let out = try imresize(plane(w, h, [Double](repeating: 0.5, count: w * h)), scale: scale)
        #expect(out.width == outW && out.height == outH)
    }

    @Test("a constant image stays constant", arguments: [0.25, 0.5, 2.0, 3.0, 4.0])
    func constantImage(scale: Double) throws {
        let out = try imresize(plane(13, 11, [Double](repeating: 0.37, count: 143)), scale: scale)
        #expect(out.values.allSatisfy { abs($0 - 0.37) < 1e-15 })
    }

    @Test("upscaling an impulse gives the Keys kernel samples at MATLAB's coordinates")
    func impulseResponse() throws {
        // One row of 16 samples with an impulse at 1-based index 8; upscale x4. For output x (1-based),
        // u = x/4 + 0.5*(1 - 1/4) and the weight of input 8 is cubic(u - 8): Keys weights at a shift sum to 1,
        // so normalisation leaves them unchanged. Away from the border no mirroring is involved.
        var values = [Double](repeating: 0, count: 16)
        values[7] = 1
        let out = try imresize(plane(16, 1, values), scale: 4)
        #expect(out.width == 64 && out.height == 4)
        for x in 9...56 {
            let u = Double(x) / 4 + 0.375
            let expected = keysCubic(u - 8)
            for row in 0..<4 { #expect(abs(out[x - 1, row] - expected) < 1e-15, "x = \(x)") }
        }
    }

    @Test("downscaling widens the kernel by 1/scale (antialiasing)")
    func antialiasedDownscaleWeights() {
        // x2 down: kernel width 4 / 0.5 = 8, so ceil(8) + 2 = 10 taps. Output 5 (1-based) has u = 5/0.5 - 0.5 = 9.5
        // and is interior: its weights are 0.5 * cubic(0.5 * d), normalised, on inputs floor(9.5 - 4) = 5 ... 14.
        let c = resizeContributions(inLength: 20, outLength: 10, scale: 0.5)
        #expect(c.taps == 10)
        let u = 5.0 / 0.5 + 0.5 * (1 - 2)  // 9.5
        let left = Int((u - 4).rounded(.down))
        var raw = (0..<10).map { 0.5 * keysCubic(0.5 * (u - Double(left + $0))) }
        let sum = raw.reduce(0, +)
        raw = raw.map { $0 / sum }
        for k in 0..<10 {
            #expect(abs(c.weights[4 * 10 + k] - raw[k]) < 1e-16)
            #expect(c.indices[4 * 10 + k] == left + k - 1)
        }
    }

    @Test("borders mirror MATLAB's aux = [1:n, n:-1:1]")
    func symmetricBorderIndices() {
        // x4 up, output 1: u = 0.25 + 0.375 = 0.625, left = floor(0.625 - 2) = -2, taps -2...3 (1-based).
        // Mirrored: -2 -> 3, -1 -> 2, 0 -> 1, 1 -> 1, 2 -> 2, 3 -> 3, i.e. 0-based 2, 1, 0, 0, 1, 2.
        let c = resizeContributions(inLength: 5, outLength: 20, scale: 4)
        #expect(Array(c.indices[0..<6]) == [2, 1, 0, 0, 1, 2])
        // Output 20: u = 5 + 0.375, left = 3, taps 3...8 -> 3, 4, 5, 5, 4, 3 (1-based) -> 0-based 2, 3, 4, 4, 3, 2.
        #expect(Array(c.indices[(19 * 6)..<(20 * 6)]) == [2, 3, 4, 4, 3, 2])
    }

    @Test("invalid scales are typed errors")
    func invalidScales() {
        let p = plane(4, 4, [Double](repeating: 0, count: 16))
        #expect(throws: EvaluationError.self) { try imresize(p, scale: 0) }
        #expect(throws: EvaluationError.self) { try imresize(p, scale: -2) }
        #expect(throws: EvaluationError.self) { try imresize(p, scale: .nan) }
        #expect(throws: EvaluationError.self) { try imresize(p, scale: .infinity) }
    }
}
