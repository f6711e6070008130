import HTTPServer
import ImageCodecs

/// An upscale request's head (`POST /upscale`, `POST /v1/jobs`), parsed once: parameters, how the image arrives,
/// what the client accepts. With a body it is parsed when the head arrives, so a bad request is refused before its
/// upload (`earlyResponse`), and the handler gets this value instead of parsing again; without one, when handled.
struct UpscaleRequest: Sendable {
    let parameters: UpscaleParameters
    let upload: UploadKind
    let accept: AcceptedFormats

    init(_ head: HTTPRequestHead, config: ServiceConfig, resolver: any SuperResolver) throws(ServiceError) {
        parameters = try UpscaleParameters.parse(head, config: config, resolver: resolver)
        upload = try UploadKind(contentType: head.headers[.contentType], maxParts: config.http.maxMultipartParts)
        accept = AcceptedFormats(head.headers[.accept])
    }

    /// Refuses now what no body can make acceptable: an Accept that allows none of our formats (an explicit
    /// `format=` wins over Accept, so only without one).
    func checkAcceptable() throws(ServiceError) {
        guard accept.choose(explicit: parameters.format, input: nil, lossless: parameters.lossless) != nil else {
            throw .notAcceptable(accept.header ?? "")
        }
    }

    /// The image from `body`, its format read from its signature (once: the decoder is told it), and the format
    /// to answer in.
    func image(in body: [UInt8]) throws(ServiceError) -> (bytes: [UInt8], format: ImageFormat, output: ImageFormat) {
        let bytes = try upload.imageBytes(body)
        guard let format = ImageFormat.detect(bytes) else { throw .notAnImage }
        guard let output = accept.choose(explicit: parameters.format, input: format, lossless: parameters.lossless)
        else { throw .notAcceptable(accept.header ?? "") }
        return (bytes, format, output)
    }
}
