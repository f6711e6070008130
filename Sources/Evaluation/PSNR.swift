import Foundation

/// Peak signal-to-noise ratio in dB between two planes on the 0...255 scale (peak 255), as MATLAB `psnr` on the
/// same data divided by 255 (peak 1): 10 log10(255^2 / MSE). Identical planes give +infinity.
public func psnr(_ reference: Plane, _ test: Plane) throws(EvaluationError) -> Double {
    guard reference.width == test.width, reference.height == test.height else {
        throw .sizeMismatch("PSNR of \(reference.width)x\(reference.height) vs \(test.width)x\(test.height)")
    }
    var sum = 0.0
    for i in 0..<reference.values.count {
        let d = reference.values[i] - test.values[i]
        sum += d * d
    }
    let mse = sum / Double(reference.values.count)
    return 10 * log10(255 * 255 / mse)
}
