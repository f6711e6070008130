/// A planar feature map `[channels, height, width]` of Float, the reference backend's activation.
public struct Tensor: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `data[(c * height + y) * width + x]`.
    public var data: [Float]

    public init(channels: Int, height: Int, width: Int, data: [Float]) {
        precondition(data.count == channels * height * width, "tensor data does not match its shape")
        self.channels = channels
        self.height = height
        self.width = width
        self.data = data
    }

    public init(zeros channels: Int, _ height: Int, _ width: Int) {
        self.init(channels: channels, height: height, width: width,
                  data: [Float](repeating: 0, count: channels * height * width))
    }

    public var plane: Int { height * width }
}

extension Tensor {
    /// The sub-tensor `[:, rows, columns]`.
    func cropped(rows: Range<Int>, columns: Range<Int>) -> Tensor {
        var data = [Float]()
        data.reserveCapacity(channels * rows.count * columns.count)
        for c in 0..<channels {
            for y in rows { data.append(contentsOf: self.data[(c * height + y) * width + columns.lowerBound..<(c * height + y) * width + columns.upperBound]) }
        }
        return Tensor(channels: channels, height: rows.count, width: columns.count, data: data)
    }
}
