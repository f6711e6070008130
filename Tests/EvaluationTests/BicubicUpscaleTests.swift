import ImageCodecs
import Testing

@testable import Evaluation

/// The fast Float upscaler (viewer, `model=bicubic`, alpha planes) against the evaluation protocol's Double
/// `imresize`, which the shared MATLAB vector and the published bicubic tables pin down.
@Suite struct BicubicUpscaleTests {
    @Test(arguments: [(2, 1, 1), (2, 7, 5), (3, 4, 9), (4, 13, 11), (4, 2, 3)])
    func matchesImresize(_ shape: (scale: Int, width: Int, height: Int)) throws {
        var state: UInt64 = 0x9E37_79B9
        let values: [Float] = (0..<shape.width * shape.height).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        let fast = BicubicUpscale.upscale(values, width: shape.width, height: shape.height, scale: shape.scale)
        let reference = try imresize(
            Plane(width: shape.width, height: shape.height, values: values.map(Double.init)),
            scale: Double(shape.scale))
        #expect(fast.count == reference.values.count)
        // imresize does not clamp; the upscaler clamps to [0, 1] (overshoot at edges of random data).
        let worst = zip(fast, reference.values).map { abs(Double($0) - min(1, max(0, $1))) }.max()!
        #expect(worst <= 2e-6, "\(shape): max difference \(worst)")
    }

    @Test func colourAndAlphaPlanesAreUpscaledAlike() {
        let plane: [Float] = [0, 0.25, 0.5, 1, 0.75, 0.1]
        let image = Image(width: 3, height: 2, colorChannels: 3, color: plane + plane + plane, alpha: plane)
        let out = BicubicUpscale.upscale(image, scale: 2)
        let single = BicubicUpscale.upscale(plane, width: 3, height: 2, scale: 2)
        #expect(out.width == 6 && out.height == 4 && out.alpha == single)
        #expect(Array(out.color[24..<48]) == single)
    }
}
