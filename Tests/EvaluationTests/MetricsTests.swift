import Foundation
import Testing

@testable import Evaluation

/// Planes and scores written by scikit-image (Tests/Fixtures/evaluation/make_metrics_fixture.py).
private struct MetricsFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let width: Int
        let height: Int
        let reference: [Double]
        let test: [Double]
        let psnr: Double
        let ssim: Double
    }
    let cases: [Case]
}

@Suite("PSNR, SSIM and the pixel conventions")
struct MetricsTests {
    @Test("PSNR and SSIM agree with scikit-image")
    func agreeWithScikitImage() throws {
        let fixture = try loadFixture(MetricsFixture.self, "evaluation/metrics.json")
        #expect(fixture.cases.count == 3)
        for c in fixture.cases {
            let reference = plane(c.width, c.height, c.reference)
            let test = plane(c.width, c.height, c.test)
            let p = try psnr(reference, test)
            let s = try ssim(reference, test, border: .valid)
            #expect(abs(p - c.psnr) < 1e-10, "\(c.name): PSNR \(p) vs \(c.psnr)")
            #expect(abs(s - c.ssim) < 1e-12, "\(c.name): SSIM \(s) vs \(c.ssim)")
        }
    }

    @Test("PSNR of a known error: a uniform offset of 1 gives 20 log10(255)")
    func psnrKnownValue() throws {
        let a = plane(3, 2, [0, 10, 20, 30, 40, 50])
        let b = plane(3, 2, [1, 11, 21, 31, 41, 51])
        #expect(abs(try psnr(a, b) - 20 * log10(255.0)) < 1e-12)
        #expect(try psnr(a, a) == .infinity)
    }

    @Test("SSIM of an image with itself is 1 for both border modes", arguments: SSIMBorder.allCases)
    func ssimIdentity(border: SSIMBorder) throws {
        let a = plane(13, 12, (0..<156).map { Double(($0 * 37) % 251) })
        #expect(abs(try ssim(a, a, border: border) - 1) < 1e-12)
    }

    @Test("replicate padding differs from 'valid' filtering on a non-uniform image")
    func borderModesDiffer() throws {
        let fixture = try loadFixture(MetricsFixture.self, "evaluation/metrics.json")
        let c = fixture.cases[1]
        let valid = try ssim(plane(c.width, c.height, c.reference), plane(c.width, c.height, c.test), border: .valid)
        let same = try ssim(plane(c.width, c.height, c.reference), plane(c.width, c.height, c.test), border: .replicate)
        #expect(abs(valid - same) > 1e-4)
    }

    @Test("metrics reject mismatched or too small inputs")
    func metricErrors() {
        let a = plane(12, 12, [Double](repeating: 1, count: 144))
        let b = plane(12, 11, [Double](repeating: 1, count: 132))
        #expect(throws: EvaluationError.self) { try psnr(a, b) }
        #expect(throws: EvaluationError.self) { try ssim(a, b) }
        let small = plane(10, 20, [Double](repeating: 1, count: 200))
        #expect(throws: EvaluationError.self) { try ssim(small, small, border: .valid) }
        #expect(throws: EvaluationError.self) { try Plane(width: 2, height: 2, values: [1, 2, 3]) }
        #expect(throws: EvaluationError.emptyImage) { try Plane(width: 0, height: 2, values: []) }
    }

    @Test("rgb2ycbcr luma: black is 16, white is 235, BT.601 weights in between")
    func lumaValues() throws {
        let rgb = try RGBPlanes(
            red: plane(3, 1, [0, 1, 1]), green: plane(3, 1, [0, 1, 0]),
            blue: plane(3, 1, [0, 1, 0]))
        let y = rgbToY(rgb)
        #expect(y.values[0] == 16)
        #expect(abs(y.values[1] - 235) < 1e-12)
        #expect(abs(y.values[2] - (16 + 65.481)) < 1e-12)
    }

    @Test("im2uint8 rounds half away from zero and saturates")
    func quantization() throws {
        let values: [Double] = [-0.1, 0, 0.5 / 255, 1.5 / 255, 127.49 / 255, 0.5, 1, 1.2, .nan]
        let p = plane(values.count, 1, values)
        let q = quantizeToUInt8(try RGBPlanes(red: p, green: p, blue: p))
        #expect(Array(q.samples[0..<values.count]) == [0, 0, 1, 2, 127, 128, 255, 255, 0])
    }

    @Test("mod-crop keeps the top-left multiple of the scale; shave removes the border")
    func cropping() throws {
        let p = plane(7, 5, (0..<35).map(Double.init))
        let rgb = try RGBPlanes(red: p, green: p, blue: p)
        let cropped = try modCrop(rgb, scale: 2)
        #expect(cropped.width == 6 && cropped.height == 4)
        #expect(
            cropped.red.values == [
                0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26,
            ])
        let shaved = try shaveBorder(p, border: 2)
        #expect(shaved.width == 3 && shaved.height == 1 && shaved.values == [16, 17, 18])
        #expect(throws: EvaluationError.self) { try shaveBorder(p, border: 3) }
        #expect(throws: EvaluationError.self) { try modCrop(rgb, scale: 8) }
    }
}
