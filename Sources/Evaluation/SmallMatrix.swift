// Dense n x n linear algebra for the 9x9 covariance matrices of the IFC's GSM model (refparams_vecgsm.m uses
// MATLAB's inv and eig). n is tiny, so plain textbook algorithms are exact enough and easy to check.

/// A square row-major matrix.
struct SquareMatrix: Equatable {
    let n: Int
    var a: [Double]

    init(n: Int, values: [Double]) {
        precondition(values.count == n * n, "matrix needs n * n values")
        self.n = n
        self.a = values
    }

    subscript(i: Int, j: Int) -> Double {
        get { a[i * n + j] }
        set { a[i * n + j] = newValue }
    }

    /// The inverse by Gauss-Jordan elimination with partial pivoting (MATLAB's inv uses LU with partial pivoting;
    /// the two agree to rounding). A singular matrix gives infinities, as `inv` does with its warning.
    func inverse() -> SquareMatrix {
        var m = self
        var inv = SquareMatrix(n: n, values: (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(col + 1, n) where abs(m[r, col]) > abs(m[pivot, col]) { pivot = r }
            if pivot != col {
                for j in 0..<n {
                    m.a.swapAt(col * n + j, pivot * n + j)
                    inv.a.swapAt(col * n + j, pivot * n + j)
                }
            }
            let p = m[col, col]
            for j in 0..<n {
                m[col, j] /= p
                inv[col, j] /= p
            }
            for r in 0..<n where r != col {
                let f = m[r, col]
                if f == 0 { continue }
                for j in 0..<n {
                    m[r, j] -= f * m[col, j]
                    inv[r, j] -= f * inv[col, j]
                }
            }
        }
        return inv
    }

    /// Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, ascending (MATLAB's eig order for symmetric
    /// input). Converges quadratically; 100 sweeps is far more than a 9x9 needs.
    func symmetricEigenvalues() -> [Double] {
        var m = self
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { off += m[i, j] * m[i, j] } }
            if off == 0 { break }
            var diagonal = 0.0
            for i in 0..<n { diagonal += m[i, i] * m[i, i] }
            if off <= 1e-30 * diagonal { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where m[p, q] != 0 {
                    // Rotation that zeroes m[p, q] (Golub & Van Loan, Algorithm 8.5.1 sym.schur2).
                    let theta = (m[q, q] - m[p, p]) / (2 * m[p, q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let mkp = m[k, p]
                        let mkq = m[k, q]
                        m[k, p] = c * mkp - s * mkq
                        m[k, q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p, k]
                        let mqk = m[q, k]
                        m[p, k] = c * mpk - s * mqk
                        m[q, k] = s * mpk + c * mqk
                    }
                }
            }
        }
        return (0..<n).map { m[$0, $0] }.sorted()
    }
}
