import HTTPServer
import ImageCodecs
import SREngine

/// The validated query of `POST /upscale`: which model, and how to encode the result.
public struct UpscaleParameters: Sendable, Equatable {
    public static let scales = ["2", "4"]
    /// "bicubic" is MATLAB bicubic (`Imaging.BicubicUpscale`): the baseline every model is measured against.
    public static let weightKinds = ModelKey.Weights.allCases.map(\.description)
    public static let architectures = Architecture.allCases.map(\.rawValue)
    static let knownNames: Set<String> = ["scale", "model", "arch", "format", "quality", "lossless", "ensemble"]

    public var key: ModelKey
    /// The format the client asked for with `format=`; nil means negotiate (Accept, then the input's format).
    public var format: ImageFormat?
    /// JPEG and lossy WebP quality 1...100 (`quality=`, default `ServiceConfig.jpegQuality`); PNG ignores it.
    public var quality: Int
    /// `lossless=true`: WebP output in its lossless mode (VP8L), the switch imaginary and libvips expose, since
    /// WebP's `quality=100` is still lossy. The output is then never JPEG: negotiation skips it and `format=jpeg`
    /// is refused.
    public var lossless = false
    /// Self-ensemble (`ensemble=true`): the average over the input's eight flips and rotations, about 8x the time.
    public var ensemble = false

    /// Parses and checks every parameter; unknown names are errors so a typo (`scal=4`) is not silently ignored.
    public static func parse(_ head: HTTPRequestHead, config: ServiceConfig, resolver: any SuperResolver)
        throws(ServiceError) -> UpscaleParameters
    {
        for (name, value) in head.query where !knownNames.contains(name) {
            throw .unsupportedParameter(name: "parameter '\(name)'", value: value, allowed: knownNames.sorted())
        }
        // A repeated parameter is ambiguous: a proxy or WAF that reads the first value would see something else
        // than what runs, so it is refused instead of letting the last one win.
        var seen: Set<String> = []
        for (name, value) in head.query where !seen.insert(name).inserted {
            throw .invalidParameter(name: name, value: value, reason: "given more than once; give it once")
        }
        let scaleText = head.queryValue("scale") ?? String(config.defaultScale)
        guard scales.contains(scaleText), let scale = Int(scaleText) else {
            throw .unsupportedParameter(name: "scale", value: scaleText, allowed: scales)
        }
        let weightsText = head.queryValue("model") ?? config.defaultModel.rawValue
        guard let weights = ModelKey.Weights(weightsText) else {
            throw .unsupportedParameter(name: "model", value: weightsText, allowed: weightKinds)
        }
        let archText = head.queryValue("arch") ?? config.defaultArch.rawValue
        guard let arch = Architecture(rawValue: archText) else {
            throw .unsupportedParameter(name: "arch", value: archText, allowed: architectures)
        }
        let key = ModelKey(arch: arch, weights: weights, scale: scale)
        guard key.isBicubic || resolver.state(key) != nil else {
            if let reason = resolver.unavailableReason(key) { throw .modelUnavailable(key, reason: reason) }
            let available = resolver.models.map(\.key.description).sorted()
            if available.isEmpty { throw .modelUnavailable(key, reason: "no models are installed on this server") }
            throw .unsupportedParameter(name: "model combination", value: key.description, allowed: available)
        }
        var format: ImageFormat?
        if let text = head.queryValue("format") {
            guard let value = ImageFormat(rawValue: text) else {
                throw .unsupportedParameter(
                    name: "format", value: text, allowed: ImageFormat.allCases.map(\.rawValue))
            }
            format = value
        }
        var quality = config.jpegQuality
        if let text = head.queryValue("quality") {
            guard let value = Int(text), (1...100).contains(value) else {
                throw .invalidParameter(name: "quality", value: text, reason: "must be an integer 1...100")
            }
            quality = value
        }
        let ensemble = try flag("ensemble", head)
        let lossless = try flag("lossless", head)
        if lossless, let format, !format.hasLosslessMode {
            throw .invalidParameter(
                name: "lossless", value: "true",
                reason: "\(format.rawValue) has no lossless mode; use format=webp or png")
        }
        return UpscaleParameters(key: key, format: format, quality: quality, lossless: lossless, ensemble: ensemble)
    }

    /// A boolean parameter: true/false or 1/0, false when absent.
    private static func flag(_ name: String, _ head: HTTPRequestHead) throws(ServiceError) -> Bool {
        guard let text = head.queryValue(name) else { return false }
        guard let value = ["true": true, "false": false, "1": true, "0": false][text] else {
            throw .invalidParameter(name: name, value: text, reason: "must be true or false")
        }
        return value
    }
}

/// How the image arrives: raw bytes or a multipart form (decided from Content-Type at head time).
enum UploadKind: Sendable, Equatable {
    case raw
    case multipart(MultipartParser)

    static func == (lhs: UploadKind, rhs: UploadKind) -> Bool {
        switch (lhs, rhs) {
        case (.raw, .raw): true
        case (.multipart(let a), .multipart(let b)): a.boundary == b.boundary
        default: false
        }
    }

    /// image/png, image/jpeg, image/webp, application/octet-stream (or no Content-Type) are raw;
    /// multipart/form-data needs a boundary; anything else is 415.
    init(contentType: String?, maxParts: Int = 16) throws(ServiceError) {
        guard let contentType else {
            self = .raw
            return
        }
        guard let type = MediaType(contentType) else { throw .unsupportedMediaType(contentType) }
        switch type.essence {
        case "image/png", "image/jpeg", "image/webp", "application/octet-stream":
            self = .raw
        case "multipart/form-data":
            do {
                var parser = try MultipartParser(contentType: type)
                parser.maxParts = maxParts
                self = .multipart(parser)
            } catch {
                throw .invalidParameter(name: "Content-Type", value: contentType, reason: error.detail)
            }
        default:
            throw .unsupportedMediaType(contentType)
        }
    }

    /// The encoded image from the body.
    func imageBytes(_ body: [UInt8]) throws(ServiceError) -> [UInt8] {
        switch self {
        case .raw:
            guard !body.isEmpty else {
                throw .missingImage("The body is empty; send the image as the body or as multipart field 'image'.")
            }
            return body
        case .multipart(let parser):
            let parts: [MultipartPart]
            do {
                parts = try parser.parse(body)
            } catch {
                throw .invalidParameter(name: "multipart body", value: "", reason: error.detail)
            }
            let images = parts.filter { $0.name == "image" }
            guard let image = images.first else {
                throw .missingImage("The multipart body has no 'image' field.")
            }
            guard images.count == 1 else { throw .missingImage("The multipart body has more than one 'image' field.") }
            guard !image.body.isEmpty else { throw .missingImage("The 'image' field is empty.") }
            return image.body
        }
    }
}
