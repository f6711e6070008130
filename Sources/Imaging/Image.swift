/// A decoded image: planar colour in [0, 1] plus an optional separate alpha plane.
///
/// Planar float keeps 16-bit sources exact (Float has a 24-bit significand) until the output is written,
/// and is the layout the network engine and the evaluation code consume directly.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (grayscale) or 3 (RGB).
    public let colorChannels: Int
    /// Channel-major planes: `color[c * width * height + y * width + x]`, values in [0, 1].
    public var color: [Float]
    /// `width * height` values in [0, 1]; nil when the source had no transparency.
    public var alpha: [Float]?
    /// Precision of the source samples (8 or 16); encoders use it to keep 16-bit inputs 16-bit.
    public var sourceBitDepth: Int

    public init(width: Int, height: Int, colorChannels: Int, color: [Float], alpha: [Float]? = nil,
                sourceBitDepth: Int = 8) {
        precondition(colorChannels == 1 || colorChannels == 3, "colorChannels must be 1 or 3")
        precondition(color.count == colorChannels * width * height, "color plane size mismatch")
        precondition(alpha == nil || alpha!.count == width * height, "alpha plane size mismatch")
        self.width = width
        self.height = height
        self.colorChannels = colorChannels
        self.color = color
        self.alpha = alpha
        self.sourceBitDepth = sourceBitDepth
    }

    public var pixelCount: Int { width * height }

    /// The image as 3 RGB planes (grayscale is replicated).
    public func rgb() -> Image {
        if colorChannels == 3 { return self }
        return Image(width: width, height: height, colorChannels: 3, color: color + color + color, alpha: alpha,
                     sourceBitDepth: sourceBitDepth)
    }
}
