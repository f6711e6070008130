import Foundation
import ImageCodecs

/// Decode -> inference -> encode for one request, run on a worker thread; each stage timed.
struct UpscaleJob: Sendable {
    struct Output: Sendable {
        var bytes: [UInt8]
        var format: ImageFormat
        var inputSize: (width: Int, height: Int)
        var outputSize: (width: Int, height: Int)
        var stageSeconds: [(stage: String, seconds: Double)]
    }

    let encoded: [UInt8]
    /// Read from the signature when the request was prepared (to negotiate the output), so the decoder need not.
    let inputFormat: ImageFormat
    let parameters: UpscaleParameters
    let outputFormat: ImageFormat
    let config: ServiceConfig
    let coder: any ImageCoding
    let registry: ModelRegistry
    /// The engine's tile progress, for asynchronous jobs (nil for `POST /upscale`).
    var progress: UpscaleProgress? = nil
    /// The span the stages' spans are children of: the server span of `POST /upscale`, a job's `upscale job` span.
    var trace: TraceSpan? = nil

    /// The stages in order: a failure is reported as a failed span of the stage in progress.
    static let stages = ["decode", "inference", "encode"]

    func run() throws(ServiceError) -> Output {
        var stages: [(String, Double)] = []
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ stage: String) {
            let now = clock.now
            stages.append((stage, (now - mark).seconds))
            trace?.record(stage, from: mark, to: now)
            mark = now
        }
        do throws(ServiceError) {
            var output = try decodeUpscaleEncode(lap: lap)
            output.stageSeconds = stages
            return output
        } catch {
            let stage = Self.stages[min(stages.count, Self.stages.count - 1)]
            trace?.record(stage, from: mark, to: clock.now, error: error)
            throw error
        }
    }

    /// The stages, each ended by `lap`; the output's `stageSeconds` is left to `run`.
    private func decodeUpscaleEncode(lap: (String) -> Void) throws(ServiceError) -> Output {
        let image: Image
        do {
            image = try coder.decode(encoded, as: inputFormat, maxPixels: config.maxInputPixels)
        } catch {
            throw ServiceError(decoding: error)
        }
        lap("decode")
        try checkOutputFits(image)

        let key = parameters.key
        let result: Image
        if key.isBicubic {
            result = BicubicUpscale.upscale(image, scale: key.scale)
        } else {
            try registry.ensureLoaded(key)
            do {
                result = try registry.resolver.upscale(
                    image, model: key, ensemble: parameters.ensemble, progress: progress)
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
                result, as: outputFormat, quality: parameters.quality, lossless: parameters.lossless,
                pngCompressionLevel: config.pngCompressionLevel)
        } catch {
            throw ServiceError(encoding: error)
        }
        lap("encode")
        return Output(
            bytes: bytes, format: outputFormat, inputSize: (image.width, image.height),
            outputSize: (result.width, result.height), stageSeconds: [])
    }

    /// Refuses, before inference, a result the output format cannot store: WebP holds at most 16383 pixels per
    /// side, so a 4100-pixel-wide input (well within the pixel limit) has no x4 WebP; the encoder would fail
    /// only after the expensive part.
    func checkOutputFits(_ image: Image) throws(ServiceError) {
        let scale = parameters.key.scale
        let maxDimension = outputFormat.maxDimension
        guard max(image.width, image.height) * scale > maxDimension else { return }
        throw .invalidParameter(
            name: "format", value: outputFormat.rawValue,
            reason: "the x\(scale) result would be \(image.width * scale)x\(image.height * scale) and "
                + "\(outputFormat.rawValue) stores at most \(maxDimension) pixels per side; ask for format=png")
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
