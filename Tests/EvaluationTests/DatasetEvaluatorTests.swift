import Foundation
import Testing

@testable import Evaluation

/// A method that records what it was given and returns a fixed answer, to test the evaluator's plumbing.
private final class RecordingMethod: SuperResolutionMethod, @unchecked Sendable {
    enum Behaviour { case bicubic, wrongSize, fails }
    let behaviour: Behaviour
    var seenLR: RGBPlanes?

    init(_ behaviour: Behaviour) { self.behaviour = behaviour }

    var name: String { "recording" }

    func upscale(lr: RGBPlanes, scale: Int) throws -> RGB8Image {
        seenLR = lr
        switch behaviour {
        case .bicubic: return try BicubicMethod().upscale(lr: lr, scale: scale)
        case .wrongSize: return try RGB8Image(width: 1, height: 1, samples: [0, 0, 0])
        case .fails: throw CancellationError()
        }
    }
}

/// A deterministic 85x78 colour test image on 0...1 (not a multiple of 2 or 4: mod-crop is exercised).
private func testImage() -> RGBPlanes {
    let (w, h) = (85, 78)
    func channel(_ phase: Double) -> Plane {
        var v = [Double](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let s = 0.5 + 0.3 * sin(Double(x) / 4 + phase) * cos(Double(y) / 6)
                v[y * w + x] = (s * 255).rounded() / 255
            }
        }
        return plane(w, h, v)
    }
    return try! RGBPlanes(red: channel(0), green: channel(1), blue: channel(2))
}

@Suite("DatasetEvaluator plumbing")
struct DatasetEvaluatorTests {
    @Test("the method gets the unrounded LR of the mod-cropped HR on the 0...1 scale")
    func unroundedLR() throws {
        let method = RecordingMethod(.bicubic)
        let scores = try DatasetEvaluator(options: EvaluationOptions(scale: 4, computeIFC: false))
            .evaluate(hr: testImage(), name: "t", method: method)
        #expect(scores.width == 84 && scores.height == 76)
        let lr = try #require(method.seenLR)
        let expected = try imresize(try modCrop(testImage(), scale: 4), scale: 0.25)
        #expect(lr == expected)
        #expect(lr.red.values.contains { ($0 * 255).rounded() != $0 * 255 }, "unrounded values")
        #expect(scores.ifc == nil)
    }

    @Test("--rounded-lr hands the method exact multiples of 1/255")
    func roundedLR() throws {
        let method = RecordingMethod(.bicubic)
        _ = try DatasetEvaluator(options: EvaluationOptions(scale: 2, roundLR: true, computeIFC: false))
            .evaluate(hr: testImage(), name: "t", method: method)
        let lr = try #require(method.seenLR)
        #expect(lr.planes.allSatisfy { $0.values.allSatisfy { ($0 * 255).rounded() / 255 == $0 } })
    }

    @Test("a failing method or a wrong output size is a methodFailed error naming the image")
    func methodErrors() throws {
        let evaluator = try DatasetEvaluator(options: EvaluationOptions(scale: 2, computeIFC: false))
        for behaviour in [RecordingMethod.Behaviour.fails, .wrongSize] {
            do {
                _ = try evaluator.evaluate(hr: testImage(), name: "img7", method: RecordingMethod(behaviour))
                Issue.record("expected an error for \(behaviour)")
            } catch {
                guard case .methodFailed(let name, let reason) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(name == "recording" && reason.contains("img7"))
            }
        }
    }

    @Test("means are arithmetic means of the per-image scores; empty input and bad scales are rejected")
    func means() throws {
        let evaluator = try DatasetEvaluator(options: EvaluationOptions(scale: 2))
        let a = testImage()
        let b = try modCrop(testImage(), scale: 4)
        let result = try evaluator.evaluate(images: [("a", a), ("b", b)], method: BicubicMethod())
        #expect(result.images.map(\.name) == ["a", "b"])
        let ifcs = result.images.compactMap(\.ifc)
        #expect(ifcs.count == 2)
        #expect(abs(result.meanIFC! - (ifcs[0] + ifcs[1]) / 2) < 1e-15)
        #expect(abs(result.meanPSNR - (result.images[0].psnr + result.images[1].psnr) / 2) < 1e-12)
        #expect(throws: EvaluationError.self) { try evaluator.evaluate(images: [], method: BicubicMethod()) }
        #expect(throws: EvaluationError.self) { try EvaluationOptions(scale: 1) }
        #expect(throws: EvaluationError.self) { try EvaluationOptions(scale: 9) }
    }

    @Test("IFC of a flat image is NaN (singular covariance), as MATLAB's inv makes it")
    func flatImageIFC() throws {
        let flat = plane(80, 80, [Double](repeating: 0.5, count: 6400))
        #expect(try ifc(flat, flat).isNaN)
    }
}
