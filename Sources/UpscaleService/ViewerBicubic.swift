import Evaluation
import Foundation
import HTTPServer
import ImageCodecs

/// `POST /viewer/bicubic?scale=2|4`: the viewer's bicubic baseline, computed on the server.
///
/// A browser canvas with `imageSmoothingQuality = "high"` is not bicubic in any specified sense, so the baseline
/// panel would lie. This is MATLAB `imresize(x, s, 'bicubic')` (`Evaluation.BicubicUpscale`, checked against the
/// evaluation protocol's `imresize`).
enum ViewerBicubic {
    static let scales = [2, 4]

    static func route(config: ServiceConfig, coder: any ImageCoding) -> ViewerRoute {
        ViewerRoute(method: .post, path: "/viewer/bicubic") { request, _ in
            do {
                return try respond(request, config: config, coder: coder)
            } catch {
                return ProblemResponse.make(for: error)
            }
        }
    }

    static func respond(
        _ request: Request, config: ServiceConfig,
        coder: any ImageCoding
    ) throws(ServiceError) -> Response {
        let scaleText = request.head.queryValue("scale") ?? String(config.defaultScale)
        guard let scale = Int(scaleText), scales.contains(scale) else {
            throw .unsupportedParameter(name: "scale", value: scaleText, allowed: scales.map(String.init))
        }
        let upload = try UploadKind(contentType: request.headers[.contentType], maxParts: config.http.maxMultipartParts)
        let encoded = try upload.imageBytes(request.body)
        let clock = ContinuousClock()
        let start = clock.now
        let image: Image
        do {
            image = try coder.decode(encoded, maxPixels: config.maxInputPixels)
        } catch {
            throw ServiceError(error)
        }
        let decoded = clock.now
        let result = BicubicUpscale.upscale(image, scale: scale)
        let resized = clock.now
        let bytes: [UInt8]
        do {
            bytes = try coder.encode(
                result, as: .png, quality: config.jpegQuality, lossless: false,
                pngCompressionLevel: config.pngCompressionLevel)
        } catch {
            throw ServiceError(error)
        }
        let stages = [("decode", decoded - start), ("bicubic", resized - decoded), ("encode", clock.now - resized)]
        var headers: HTTPFields = [.contentType: "image/png"]
        headers[.serverTiming] =
            stages.map { "\($0.0);dur=\(String(format: "%.2f", $0.1.seconds * 1000))" }
                .joined(separator: ", ")
        headers[.xModel] = "bicubic-x\(scale)"
        headers[.xInputSize] = "\(image.width)x\(image.height)"
        headers[.xOutputSize] = "\(result.width)x\(result.height)"
        return Response(status: .ok, headers: headers, body: bytes)
    }
}
