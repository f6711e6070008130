/// What the server's `earlyResponse` decides when a request's head is complete, before its body is read.
public enum HeadVerdict: Sendable {
    /// Read the body and hand the request to the handler. `parsed`, what the caller made of the head, reaches the
    /// handler as `RequestContext.parsedHead`, so the head is parsed once (with a body, at head time).
    case proceed(parsed: (any Sendable)?)
    /// Send this at once and close the connection (the unread body makes it unusable): refuses unknown routes and
    /// bad parameters without reading uploads.
    case refuse(Response)
}
