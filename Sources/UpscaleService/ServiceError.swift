import HTTPServer
import ImageCodecs

/// Everything that can go wrong with an upscale request, each with its status and a detail the client can act on.
/// The HTTP layer turns these into RFC 9457 problem responses (`ProblemResponse.make(for:)`), the one mapping place.
public enum ServiceError: Error, Equatable, Sendable {
    case notFound(path: String)
    case methodNotAllowed(allow: [String])
    case unsupportedParameter(name: String, value: String, allowed: [String])
    case invalidParameter(name: String, value: String, reason: String)
    case missingImage(String)
    case unsupportedMediaType(String)
    case notAcceptable(String)
    case notAnImage
    case corruptImage(String)
    case imageTooLarge(width: Int, height: Int, maxPixels: Int)
    case queueFull(depth: Int, retryAfter: Int)
    case modelUnavailable(ModelKey, reason: String)
    case internalFailure(String)
}

extension ServiceError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .unsupportedParameter, .invalidParameter, .missingImage: .badRequest
        case .unsupportedMediaType, .notAnImage: .unsupportedMediaType
        case .notAcceptable: .notAcceptable
        case .corruptImage: .unprocessableContent
        case .imageTooLarge: .contentTooLarge
        case .queueFull, .modelUnavailable: .serviceUnavailable
        case .internalFailure: .internalServerError
        }
    }

    public var title: String {
        switch self {
        case .notAnImage: "Not an image"
        case .corruptImage: "Corrupt image"
        case .imageTooLarge: "Image too large"
        case .unsupportedParameter: "Unsupported parameter value"
        case .missingImage: "Missing image"
        case .queueFull: "Server busy"
        default: status.reasonPhrase
        }
    }

    public var detail: String {
        switch self {
        case .notFound(let path): "No route for \(path). See openapi.yaml for the API."
        case .methodNotAllowed(let allow): "Method not allowed here; allowed: \(allow.joined(separator: ", "))."
        case .unsupportedParameter(let name, let value, let allowed):
            "Unsupported \(name) '\(value)'; use one of: \(allowed.joined(separator: ", "))."
        case .invalidParameter(let name, let value, let reason): "Invalid \(name) '\(value)': \(reason)."
        case .missingImage(let reason): reason
        case .unsupportedMediaType(let type):
            "Content-Type '\(type)' is not supported; send image/png, image/jpeg, image/webp or multipart/form-data "
                + "with an 'image' field."
        case .notAcceptable(let accept):
            "Cannot produce any type in 'Accept: \(accept)'; image/png, image/jpeg or image/webp."
        case .notAnImage: "The uploaded data is not a PNG, JPEG or WebP image."
        case .corruptImage(let reason): "The image could not be decoded: \(reason)."
        case .imageTooLarge(let width, let height, let maxPixels):
            "The image is \(width)x\(height) = \(width * height) pixels; the limit is \(maxPixels) pixels."
        case .queueFull(let depth, _): "All workers are busy and \(depth) requests are waiting; retry later."
        case .modelUnavailable(let key, let reason): "Model \(key) is unavailable: \(reason)."
        case .internalFailure: "The server failed to process the image."
        }
    }

    public var headers: HTTPFields {
        switch self {
        case .methodNotAllowed(let allow): [.allow: allow.joined(separator: ", ")]
        case .queueFull(_, let retryAfter): [.retryAfter: String(retryAfter)]
        default: [:]
        }
    }
}

extension ServiceError {
    /// A decoder's error in the client's terms: the one translation of codec errors (with `init(encoding:)`).
    init(decoding error: ImageCodecError) {
        switch error {
        case .unsupportedFormat: self = .notAnImage
        case .tooLarge(let width, let height, let limit):
            self = .imageTooLarge(width: width, height: height, maxPixels: limit)
        case .truncated, .corrupt, .unsupported, .invalidParameter, .fileUnreadable:
            self = .corruptImage(error.description)
        case .encodeFailed(let reason): self = .internalFailure("encode: \(reason)")
        }
    }

    /// An encoder failing on the service's own result is the server's fault, whatever the codec says.
    init(encoding error: ImageCodecError) {
        self = .internalFailure("encode: \(error.description)")
    }
}
