import Foundation
import TestSupport

@testable import Evaluation

/// Reads a committed JSON fixture from Tests/Fixtures.
func loadFixture<T: Decodable>(_ type: T.Type, _ relativePath: String) throws -> T {
    let url = TestPaths.fixtures.appendingPathComponent(relativePath)
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// A plane from row-major values, for tests (sizes are the test's own, so a mismatch is a test bug).
func plane(_ width: Int, _ height: Int, _ values: [Double]) -> Plane {
    try! Plane(width: width, height: height, values: values)
}

/// Three planes from a nested [h][w][c] array (the layout of the Python-written fixtures).
func rgbPlanes(_ hwc: [[[Double]]]) -> RGBPlanes {
    let h = hwc.count
    let w = hwc[0].count
    func channel(_ c: Int) -> Plane { plane(w, h, hwc.flatMap { row in row.map { $0[c] } }) }
    return try! RGBPlanes(red: channel(0), green: channel(1), blue: channel(2))
}

func maxAbsDifference(_ a: Plane, _ b: Plane) -> Double {
    zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
}
