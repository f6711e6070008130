import Foundation
import Testing

@testable import Evaluation

/// The shared vector written by the training code's independent NumPy port of imresize.m
/// (training/scripts/make_bicubic_vector.py): both sides must agree to rounding.
private struct BicubicVector: Decodable {
    let width: Int
    let height: Int
    let hr: [[[Double]]]
    let downX2: [[[Double]]]
    let downX4: [[[Double]]]
    let upX2: [[[Double]]]
    let upX4: [[[Double]]]

    enum CodingKeys: String, CodingKey {
        case width, height, hr
        case downX2 = "down_x2"
        case downX4 = "down_x4"
        case upX2 = "up_x2"
        case upX4 = "up_x4"
    }
}

@Suite("shared bicubic vector (Tests/Fixtures/bicubic/vector.json)")
struct BicubicVectorTests {
    private func check(_ actual: RGBPlanes, _ expected: [[[Double]]], _ label: String) {
        let e = rgbPlanes(expected)
        #expect(actual.width == e.width && actual.height == e.height, "\(label) size")
        guard actual.width == e.width, actual.height == e.height else { return }
        let maxError = zip(actual.planes, e.planes).map(maxAbsDifference).max()!
        // Values are on 0...255; 1e-9 relative is ~2.6e-7 absolute; rounding differences are ~1e-13.
        #expect(maxError < 1e-9, "\(label): max abs error \(maxError)")
        print("bicubic vector \(label): max abs error \(maxError)")
    }

    @Test("downscale and upscale agree with the NumPy port")
    func agreesWithNumPyPort() throws {
        let v = try loadFixture(BicubicVector.self, "bicubic/vector.json")
        let hr = rgbPlanes(v.hr)
        #expect(hr.width == v.width && hr.height == v.height)
        let down2 = try imresize(hr, scale: 1.0 / 2)
        let down4 = try imresize(hr, scale: 1.0 / 4)
        check(down2, v.downX2, "down_x2")
        check(down4, v.downX4, "down_x4")
        check(try imresize(down2, scale: 2), v.upX2, "up_x2")
        check(try imresize(down4, scale: 4), v.upX4, "up_x4")
    }
}
