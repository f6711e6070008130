import Evaluation
import Foundation
import SREngine

/// The super-resolution methods `binsr eval --method NAME` can score: bicubic, the shipped networks
/// `<arch>-<real|binary>` read from `models/<arch>_x<scale>_<real|binary>.safetensors` (LapSRN x2: else the x4 file's
/// first level), or a weight file's path.
enum EvalMethods {
    /// The accepted `--method` values, in help order.
    static let names = ["bicubic"] + Architecture.allCases.flatMap { arch in
        // The real baseline before the binary network, as in the paper's tables.
        [WeightKind.real, .binary].map { "\(arch.rawValue)-\($0.rawValue)" }
    }

    /// Builds the method called `name` for upscaling by `scale`.
    static func make(_ name: String, scale: Int, modelsDirectory: String = "models",
                     precision: String = "fp32", ensemble: Bool = false) throws -> any SuperResolutionMethod {
        func load(_ url: URL) throws -> SRModel {
            try SRModel(contentsOf: url, precision: try PrecisionTuner().resolve(precision, for: url))
        }
        switch name {
        case "bicubic":
            return BicubicMethod()
        case let network where names.contains(network):
            let parts = network.split(separator: "-").map(String.init)
            guard let arch = Architecture(rawValue: parts[0]), let kind = WeightKind(rawValue: parts[1]),
                let url = ModelFolder.locate(
                    in: URL(fileURLWithPath: modelsDirectory), arch: arch, kind: kind, scale: scale)
            else {
                throw EvalMethodError.unsupportedScale(method: name, scale: scale)
            }
            let model = try load(url)
            return NetworkMethod(
                name: "\(network) (\(model.precision.rawValue)\(ensemble ? ", self-ensemble" : ""))", model: model,
                ensemble: ensemble)
        case let path where path.hasSuffix(".safetensors"):
            // Any weight file (an ablation's, say): its metadata names the network; the scale must match.
            let model = try load(URL(fileURLWithPath: path))
            guard model.weights.description.scales.contains(scale) else {
                throw EvalMethodError.scaleMismatch(file: path, fileScale: model.weights.description.scale, scale: scale)
            }
            return NetworkMethod(name: "\(URL(fileURLWithPath: path).lastPathComponent) (\(model.precision.rawValue))",
                                 model: model, ensemble: ensemble)
        default:
            throw EvalMethodError.unknown(name)
        }
    }
}

/// A trained network as an evaluation method: the LR (float, on 0...1, unrounded unless `--rounded-lr`) goes in
/// as it is, the output is quantised to 8 bits as it would be saved.
struct NetworkMethod: SuperResolutionMethod {
    let name: String
    let model: SRModel
    var ensemble = false

    func upscale(lr: RGBPlanes, scale: Int) throws -> RGB8Image {
        let image = lr.floatImage()
        return quantizeToUInt8(
            try ensemble ? model.upscaleEnsemble(image, scale: scale) : model.upscale(image, scale: scale))
    }
}

enum EvalMethodError: Error, CustomStringConvertible {
    case unknown(String)
    case unsupportedScale(method: String, scale: Int)
    case scaleMismatch(file: String, fileScale: Int, scale: Int)

    var description: String {
        switch self {
        case .unknown(let name):
            return "unknown method '\(name)' (available: \(EvalMethods.names.joined(separator: ", ")))"
        case .unsupportedScale(let method, let scale):
            return "method '\(method)' has no x\(scale) model (no weight file in the models directory)"
        case .scaleMismatch(let file, let fileScale, let scale):
            return "\(file) is an x\(fileScale) model; --scale is \(scale)"
        }
    }
}
