import Foundation

/// Which implementation runs the network.
public enum Backend: String, Sendable, CaseIterable {
    /// Plain-Swift loops (`ReferenceKernels`): slow, the executable specification.
    case reference
    /// oneDNN primitives, NHWC, fused post-ops.
    case oneDNN = "onednn"
}

/// Why an inference call failed.
public enum InferenceError: Error, CustomStringConvertible {
    case invalidInput(String)
    case oneDNN(DNNLError)
    case unsupported(String)
    /// The caller's `isCancelled` said stop (checked between tiles).
    case cancelled

    public var description: String {
        switch self {
        case .invalidInput(let why): return "invalid input: \(why)"
        case .oneDNN(let error): return error.description
        case .unsupported(let why): return "unsupported: \(why)"
        case .cancelled: return "cancelled"
        }
    }
}

/// A loaded super-resolution network, immutable and safe to share between threads: every call allocates its own
/// activations and oneDNN stream; only the primitive cache is shared, behind a lock.
public final class SRModel: Sendable {
    public let weights: ModelWeights
    public let precision: Precision
    public let backend: Backend
    let cache = PrimitiveCache()

    public var description: ModelDescription { weights.description }

    public init(weights: ModelWeights, precision: Precision = .fp32, backend: Backend = .oneDNN) throws {
        if backend == .reference && precision != .fp32 {
            throw InferenceError.unsupported("the reference backend runs fp32 only")
        }
        self.weights = weights
        self.precision = precision
        self.backend = backend
    }

    public convenience init(contentsOf url: URL, precision: Precision = .fp32, backend: Backend = .oneDNN) throws {
        try self.init(weights: try ModelWeights(contentsOf: url), precision: precision, backend: backend)
    }

    /// Runs the network on one RGB tensor (values nominally in [0, 1], not clamped). Returns the outputs from
    /// coarse to fine: one for SRResNet, one per x2 level for LapSRN (the last is the full-scale result); `levels`
    /// stops a LapSRN after that many levels.
    public func forward(_ input: Tensor, levels: Int? = nil) throws(InferenceError) -> [Tensor] {
        guard input.channels == 3 else { throw .invalidInput("the network takes 3 channels, got \(input.channels)") }
        guard input.height > 0 && input.width > 0 else { throw .invalidInput("empty input") }
        do {
            switch backend {
            case .reference:
                return try NetworkGraph.forward(weights.network, input, on: ReferenceBackend(), levels: levels)
            case .oneDNN:
                let runner = OneDNNBackend(
                    plan: cache.plan(height: input.height, width: input.width),
                    precision: precision, stream: try DNNLStream())
                return try NetworkGraph.forward(weights.network, FeatureMap(planar: input), on: runner, levels: levels)
                    .map {
                    $0.planar()
                }
            }
        } catch let error as DNNLError {
            throw .oneDNN(error)
        } catch let error as InferenceError {
            throw error
        } catch {
            throw .unsupported("\(error)")
        }
    }

    /// oneDNN implementation names of the primitives created for an input shape (empty before its first run).
    public func implementations(height: Int, width: Int) -> [String: String] {
        cache.plan(height: height, width: width).implementations
    }
}
