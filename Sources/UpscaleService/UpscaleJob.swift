import Evaluation
import Foundation
import ImageCodecs

/// Decode -> inference -> encode for one request, run on a worker thread; each stage timed.
struct UpscaleJob: Sendable {
    struct Output: Sendable {
        var bytes: [UInt8]
        var format: EncodedFormat
        var inputSize: (width: Int, height: Int)
        var outputSize: (width: Int, height: Int)
        var stageSeconds: [(stage: String, seconds: Double)]
    }

    let encoded: [UInt8]
    let parameters: UpscaleParameters
    let outputFormat: EncodedFormat
    let config: ServiceConfig
    let coder: any ImageCoding
    let registry: ModelRegistry

    func run() throws(ServiceError) -> Output {
        var stages: [(String, Double)] = []
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ stage: String) {
            let now = clock.now
            stages.append((stage, (now - mark).seconds))
            mark = now
        }

        let image: Image
        do {
            image = try coder.decode(encoded, maxPixels: config.maxInputPixels)
        } catch {
            throw ServiceError(error)
        }
        lap("decode")

        let key = parameters.key
        let result: Image
        if key.isBicubic {
            result = BicubicUpscale.upscale(image, scale: key.scale)
        } else {
            try registry.ensureLoaded(key)
            do {
                result = try registry.resolver.upscale(
                    image, scale: key.scale, arch: key.arch, weights: key.weights, ensemble: parameters.ensemble)
            } catch {
                throw .internalFailure("inference: \(error)")
            }
        }
        // The engine's contract is an exact scale; anything else would silently mislabel X-Output-Size.
        guard result.width == image.width * key.scale, result.height == image.height * key.scale else {
            throw .internalFailure(
                "engine returned \(result.width)x\(result.height) for \(image.width)x\(image.height)")
        }
        lap("inference")

        let bytes: [UInt8]
        do {
            bytes = try coder.encode(
                result, as: outputFormat, jpegQuality: parameters.jpegQuality,
                pngCompressionLevel: config.pngCompressionLevel)
        } catch {
            throw ServiceError(error)
        }
        lap("encode")
        return Output(
            bytes: bytes, format: outputFormat, inputSize: (image.width, image.height),
            outputSize: (result.width, result.height), stageSeconds: stages)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
