/// One channel of an image in Double precision, row-major: `values[y * width + x]`.
///
/// The evaluation protocol is MATLAB code working on `double` arrays; keeping Double end to end is what lets the
/// published bicubic numbers be reproduced to the last printed digit.
public struct Plane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Double]

    public init(width: Int, height: Int, values: [Double]) throws(EvaluationError) {
        guard width > 0, height > 0 else { throw .emptyImage }
        guard values.count == width * height else {
            throw .sizeMismatch("plane of \(width)x\(height) needs \(width * height) values, got \(values.count)")
        }
        self.width = width
        self.height = height
        self.values = values
    }

    /// A plane filled with `value`.
    public init(width: Int, height: Int, repeating value: Double) throws(EvaluationError) {
        guard width > 0, height > 0 else { throw .emptyImage }
        self.width = width
        self.height = height
        self.values = [Double](repeating: value, count: width * height)
    }

    /// Internal initialiser for sizes the caller has already validated.
    init(validatedWidth width: Int, height: Int, values: [Double]) {
        precondition(width > 0 && height > 0 && values.count == width * height, "invalid plane geometry")
        self.width = width
        self.height = height
        self.values = values
    }

    public subscript(x: Int, y: Int) -> Double {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// The sub-rectangle `[x0, x0 + w) x [y0, y0 + h)`.
    public func cropped(x x0: Int, y y0: Int, width w: Int, height h: Int) throws(EvaluationError) -> Plane {
        guard w > 0, h > 0, x0 >= 0, y0 >= 0, x0 + w <= width, y0 + h <= height else {
            throw .imageTooSmall("cannot crop \(w)x\(h) at (\(x0),\(y0)) from \(width)x\(height)")
        }
        var out = [Double](repeating: 0, count: w * h)
        for y in 0..<h {
            let src = (y0 + y) * width + x0
            for x in 0..<w { out[y * w + x] = values[src + x] }
        }
        return Plane(validatedWidth: w, height: h, values: out)
    }

    /// Every value multiplied by `factor` (e.g. to move between the 0...1 and 0...255 scales).
    public func scaled(by factor: Double) -> Plane {
        Plane(validatedWidth: width, height: height, values: values.map { $0 * factor })
    }
}

/// An RGB image as three Double planes of equal size; the scale (0...1 or 0...255) is stated by each API.
public struct RGBPlanes: Sendable, Equatable {
    public var red: Plane
    public var green: Plane
    public var blue: Plane

    public init(red: Plane, green: Plane, blue: Plane) throws(EvaluationError) {
        guard red.width == green.width, red.width == blue.width, red.height == green.height,
            red.height == blue.height
        else { throw .sizeMismatch("RGB planes differ in size") }
        self.red = red
        self.green = green
        self.blue = blue
    }

    public var width: Int { red.width }
    public var height: Int { red.height }
    public var planes: [Plane] { [red, green, blue] }

    /// Applies `transform` to each channel (all results must share one size, which every caller here guarantees).
    func mapPlanes(_ transform: (Plane) throws(EvaluationError) -> Plane) throws(EvaluationError) -> RGBPlanes {
        try RGBPlanes(red: transform(red), green: transform(green), blue: transform(blue))
    }
}

/// An 8-bit RGB image, channel-major: `samples[c * width * height + y * width + x]`, c = 0 (R), 1 (G), 2 (B).
/// This is what a super-resolution method returns: the protocol scores the image as it would be saved to PNG.
public struct RGB8Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var samples: [UInt8]

    public init(width: Int, height: Int, samples: [UInt8]) throws(EvaluationError) {
        guard width > 0, height > 0 else { throw .emptyImage }
        guard samples.count == 3 * width * height else {
            throw .sizeMismatch("RGB8 image of \(width)x\(height) needs \(3 * width * height) samples")
        }
        self.width = width
        self.height = height
        self.samples = samples
    }

    /// The image as Double planes on the 0...1 scale (MATLAB `im2double`).
    public func planes() -> RGBPlanes {
        let n = width * height
        func channel(_ c: Int) -> Plane {
            Plane(validatedWidth: width, height: height, values: samples[c * n..<(c + 1) * n].map { Double($0) / 255 })
        }
        // The three planes share one size by construction.
        return try! RGBPlanes(red: channel(0), green: channel(1), blue: channel(2))
    }
}
