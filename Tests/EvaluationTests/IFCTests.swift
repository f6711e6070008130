import Foundation
import Testing

@testable import Evaluation

@Suite("IFC: corrDn, the steerable pyramid, the GSM maths")
struct IFCTests {
    @Test("corrDn with reflect1 mirrors about the edge sample without repeating it")
    func corrDnReflect1() throws {
        // A 3x3 kernel with a single 1 at (row 0, col 0) reads im(y - 1, x - 1): at the border the reflect1 image
        // has im(-1) = im(1), so output row 0 is input row 1 and column 0 reads input column 1.
        let im = plane(5, 4, (0..<20).map(Double.init))
        var taps = [Double](repeating: 0, count: 9)
        taps[0] = 1
        let out = try corrDn(im, Kernel(size: 3, taps: taps))
        for y in 0..<4 {
            for x in 0..<5 {
                let expected = im[reflect1(x - 1, 5), reflect1(y - 1, 4)]
                #expect(out[x, y] == expected)
            }
        }
        #expect(out[0, 0] == im[1, 1])
        // The opposite corner tap reads im(y + 1, x + 1): past the last row it reflects to row 2 (n - 2).
        var far = [Double](repeating: 0, count: 9)
        far[8] = 1
        let out2 = try corrDn(im, Kernel(size: 3, taps: far))
        #expect(out2[4, 3] == im[3, 2])
    }

    @Test("corrDn with step and start samples the same grid as MATLAB's start:step:stop")
    func corrDnStep() throws {
        let im = plane(9, 7, (0..<63).map { Double($0 * $0 % 17) })
        let full = try corrDn(im, Kernel(size: 3, taps: (0..<9).map(Double.init)))
        let strided = try corrDn(
            im, Kernel(size: 3, taps: (0..<9).map(Double.init)), step: 3, start: (1, 1),
            stop: (7, 5))
        #expect(strided.width == 3 && strided.height == 2)
        for y in 0..<2 { for x in 0..<3 { #expect(strided[x, y] == full[1 + 3 * x, 1 + 3 * y]) } }
        #expect(throws: EvaluationError.self) { try corrDn(plane(3, 9, [Double](repeating: 0, count: 27)), .box(3)) }
    }

    @Test("the sp5 filters have their documented sums")
    func filterSums() {
        // lo0filt sums to ~1 (DC gain 1), 2*lofilt to ~2 (DC gain of a step-2 low-pass), band-passes to 0.
        #expect(abs(SP5Filters.lo0.reduce(0, +) - 1) < 1e-3)
        #expect(abs(SP5Filters.lo.reduce(0, +) - 2) < 1e-6)
        for band in SP5Filters.bands { #expect(abs(band.reduce(0, +)) < 1e-7) }
        // Orientation 4 is orientation 1 rotated by 90 degrees (transposed, sign flipped).
        for r in 0..<7 { for c in 0..<7 { #expect(SP5Filters.bands[3][r * 7 + c] == -SP5Filters.bands[0][c * 7 + r]) } }
    }

    @Test("9x9 inverse and eigenvalues match NumPy on a fixed SPD matrix")
    func smallMatrix() {
        // A = B B^T + I for B[i][j] = sin((i + 1)(j + 2)); eigenvalues from numpy.linalg.eigvalsh.
        var b = [Double](repeating: 0, count: 81)
        for i in 0..<9 { for j in 0..<9 { b[i * 9 + j] = sin(Double((i + 1) * (j + 2))) } }
        var a = SquareMatrix(n: 9, values: [Double](repeating: 0, count: 81))
        for i in 0..<9 {
            for j in 0..<9 {
                var s = i == j ? 1.0 : 0.0
                for k in 0..<9 { s += b[i * 9 + k] * b[j * 9 + k] }
                a[i, j] = s
            }
        }
        let inv = a.inverse()
        for i in 0..<9 {
            for j in 0..<9 {
                var s = 0.0
                for k in 0..<9 { s += a[i, k] * inv[k, j] }
                #expect(abs(s - (i == j ? 1 : 0)) < 1e-12)
            }
        }
        let expected = [
            1.0012608026988208, 3.4314100649283295, 4.403336543433214, 6.095377697678474, 6.489999134535925,
            6.583075599147131, 7.001463540010972, 7.013931826873258, 9.243063245358657,
        ]
        for (e, x) in zip(a.symmetricEigenvalues(), expected) { #expect(abs(e - x) < 1e-10, "\(e) vs \(x)") }
    }

    @Test("IFC falls as the distortion grows and rejects bad inputs")
    func ifcBehaviour() throws {
        // A deterministic textured 96x80 image on the 0...1 scale and two blurred/noisy versions.
        let w = 96
        let h = 80
        var values = [Double](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                values[y * w + x] = 0.5 + 0.2 * sin(Double(x) / 3) * cos(Double(y) / 5) + 0.1 * sin(Double(x * y) / 17)
            }
        }
        let reference = plane(w, h, values)
        let blurred = try imresize(try imresize(reference, scale: 0.5), scale: 2)
        let worse = try imresize(try imresize(reference, scale: 0.25), scale: 4)
        let mild = try ifc(reference, blurred)
        let strong = try ifc(reference, worse)
        #expect(mild > strong && strong > 0)
        #expect(try ifc(reference, reference) > mild)
        #expect(throws: EvaluationError.self) { try ifc(reference, blurred.cropped(x: 0, y: 0, width: 95, height: 80)) }
        // A 4-level pyramid of 9-tap low-passes needs at least 72 pixels (maxPyrHt).
        let tooSmall = try reference.cropped(x: 0, y: 0, width: 71, height: 80)
        #expect(throws: EvaluationError.self) { try ifc(tooSmall, tooSmall) }
        #expect(SteerablePyramid.maximumLevels(width: 72, height: 72) == 4)
        #expect(SteerablePyramid.maximumLevels(width: 71, height: 72) == 3)
    }
}
