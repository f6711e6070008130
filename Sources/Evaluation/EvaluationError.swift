/// Everything that can go wrong while evaluating; each case says what was wrong with which input.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// A plane or image with zero width or height.
    case emptyImage
    /// Two inputs that must have the same geometry do not.
    case sizeMismatch(String)
    /// An input too small for the operation (e.g. IFC needs a 4-level steerable pyramid).
    case imageTooSmall(String)
    /// A resize or evaluation scale that is not supported.
    case invalidScale(String)
    /// The dataset directory has no images, or cannot be listed.
    case emptyDataset(String)
    /// An image file could not be read or decoded.
    case unreadableImage(path: String, reason: String)
    /// The super-resolution method failed or returned an image of the wrong size.
    case methodFailed(method: String, reason: String)

    public var description: String {
        switch self {
        case .emptyImage: return "empty image (zero width or height)"
        case .sizeMismatch(let what): return "size mismatch: \(what)"
        case .imageTooSmall(let what): return "image too small: \(what)"
        case .invalidScale(let what): return "invalid scale: \(what)"
        case .emptyDataset(let what): return "no images: \(what)"
        case .unreadableImage(let path, let reason): return "cannot read \(path): \(reason)"
        case .methodFailed(let method, let reason): return "method \(method) failed: \(reason)"
        }
    }
}
