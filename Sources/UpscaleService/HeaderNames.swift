import HTTPServer

/// The service's own header fields, beside the registered ones swift-http-types names (`.contentType`,
/// `.retryAfter`, `.wwwAuthenticate`, ...).
extension HTTPField.Name {
    /// An API key sent without the Bearer scheme.
    static let xAPIKey = HTTPField.Name("X-API-Key")!
    /// W3C Server Timing: the stages of an upscale with their milliseconds.
    static let serverTiming = HTTPField.Name("Server-Timing")!
    /// What an image answer holds: the model, its scale, the input and output sizes.
    static let xModel = HTTPField.Name("X-Model")!
    static let xScale = HTTPField.Name("X-Scale")!
    static let xInputSize = HTTPField.Name("X-Input-Size")!
    static let xOutputSize = HTTPField.Name("X-Output-Size")!
}
