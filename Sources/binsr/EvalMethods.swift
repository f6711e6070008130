import Evaluation

/// The super-resolution methods `binsr eval --method NAME` can score. To add one (e.g. a network from SREngine),
/// add its name to `names` and a case to `make` that builds it; `make` may reject scales the method lacks.
enum EvalMethods {
    /// The accepted `--method` values, in help order.
    static let names = ["bicubic"]

    /// Builds the method called `name` for upscaling by `scale`.
    static func make(_ name: String, scale: Int) throws -> any SuperResolutionMethod {
        switch name {
        case "bicubic":
            return BicubicMethod()
        default:
            throw EvalMethodError.unknown(name)
        }
    }
}

enum EvalMethodError: Error, CustomStringConvertible {
    case unknown(String)
    case unsupportedScale(method: String, scale: Int)

    var description: String {
        switch self {
        case .unknown(let name):
            return "unknown method '\(name)' (available: \(EvalMethods.names.joined(separator: ", ")))"
        case .unsupportedScale(let method, let scale):
            return "method '\(method)' has no x\(scale) model"
        }
    }
}
