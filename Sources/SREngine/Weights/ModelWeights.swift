import Foundation

/// `f + conv2(prelu(conv1(f)))`, the residual block shared by both architectures.
public struct ResidualBlock: Sendable {
    public let conv1: ConvLayer
    public let prelu: PReLULayer
    public let conv2: ConvLayer
}

public struct SRResNetWeights: Sendable {
    public let headConv: ConvLayer
    public let headPReLU: PReLULayer
    public let body: [ResidualBlock]
    public let bodyTail: ConvLayer
    /// One x2 step each: conv C -> 4C, pixel shuffle, PReLU.
    public let upsample: [(conv: ConvLayer, prelu: PReLULayer)]
    public let tail: ConvLayer
}

public struct LapSRNLevel: Sendable {
    public let body: [ResidualBlock]
    public let up: TransposedConvLayer
    public let upPReLU: PReLULayer
    public let imageUp: TransposedConvLayer
    public let residual: ConvLayer
}

public struct LapSRNWeights: Sendable {
    public let headConv: ConvLayer
    public let headPReLU: PReLULayer
    public let levels: [LapSRNLevel]
}

public enum NetworkWeights: Sendable {
    case srresnet(SRResNetWeights)
    case lapsrn(LapSRNWeights)
}

/// A validated weight file: the description plus every layer of the graph in docs/weights-format.md.
/// Loading is strict: a missing, unexpected, mis-shaped or mis-typed tensor is an error naming it.
public struct ModelWeights: Sendable {
    public let description: ModelDescription
    public let network: NetworkWeights

    public init(contentsOf url: URL) throws(WeightsError) {
        let file = try SafeTensorsFile(contentsOf: url)
        do {
            try self.init(file: file)
        } catch {
            throw error.inFile(url.path)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        var description = self.description
        description.fileBytes = size ?? 0
        self = ModelWeights(description: description, network: network)
    }

    private init(description: ModelDescription, network: NetworkWeights) {
        self.description = description
        self.network = network
    }

    public init(file: SafeTensorsFile) throws(WeightsError) {
        var description = try ModelDescription(metadata: file.metadata)
        let reader = LayerReader(file: file, description: description)
        let c = description.channels
        func blocks(_ prefix: String) throws(WeightsError) -> [ResidualBlock] {
            var result: [ResidualBlock] = []
            for i in 0..<description.blocks {
                let p = "\(prefix)\(i)"
                result.append(
                    ResidualBlock(
                        conv1: try reader.conv("\(p).conv1", c, c, 3), prelu: try reader.prelu("\(p).prelu", c),
                        conv2: try reader.conv("\(p).conv2", c, c, 3)))
            }
            return result
        }
        switch description.arch {
        case .srresnet:
            var upsample: [(conv: ConvLayer, prelu: PReLULayer)] = []
            for j in 0..<description.levels {
                upsample.append(
                    (
                        try reader.conv("upsample.\(j).conv", c, 4 * c, 3),
                        try reader.prelu("upsample.\(j).prelu", c)
                    ))
            }
            network = .srresnet(
                SRResNetWeights(
                    headConv: try reader.conv("head.conv", 3, c, 9), headPReLU: try reader.prelu("head.prelu", c),
                    body: try blocks("body."), bodyTail: try reader.conv("body_tail.conv", c, c, 3),
                    upsample: upsample, tail: try reader.conv("tail.conv", c, 3, 9)))
        case .lapsrn:
            var levels: [LapSRNLevel] = []
            for l in 0..<description.levels {
                levels.append(
                    LapSRNLevel(
                        body: try blocks("levels.\(l).body."), up: try reader.transposed("levels.\(l).up", c, c),
                        upPReLU: try reader.prelu("levels.\(l).up_prelu", c),
                        imageUp: try reader.transposed("levels.\(l).image_up", 3, 3),
                        residual: try reader.conv("levels.\(l).residual", c, 3, 3)))
            }
            network = .lapsrn(
                LapSRNWeights(
                    headConv: try reader.conv("head.conv", 3, c, 3), headPReLU: try reader.prelu("head.prelu", c),
                    levels: levels))
        }
        try reader.finish()
        description.realParameters = reader.realParameters
        description.binaryParameters = reader.binaryParameters
        self.description = description
    }
}

/// Reads layers by name and remembers which tensors were used, so leftovers can be reported as unexpected.
private final class LayerReader {
    let file: SafeTensorsFile
    let declaredBinary: Set<String>
    var used: Set<String> = []
    var binaryNames: Set<String> = []
    var realParameters = 0
    var binaryParameters = 0

    let binaryFlag: Bool

    init(file: SafeTensorsFile, description: ModelDescription) {
        self.file = file
        self.declaredBinary = Set(description.binaryLayers)
        self.binaryFlag = description.binary
    }

    func floats(_ name: String, _ shape: [Int]) throws(WeightsError) -> [Float] {
        used.insert(name)
        return try file.floats(name, shape: shape)
    }

    /// A conv is binary exactly when `binary_layers` lists it: the paper binarizes the residual blocks, and the
    /// training side's `binarize = all` ablation every conv (Tests/Fixtures/golden/README.md).
    func conv(_ name: String, _ cin: Int, _ cout: Int, _ k: Int) throws(WeightsError) -> ConvLayer {
        let bias = try floats("\(name).bias", [cout])
        realParameters += cout
        guard declaredBinary.contains(name) else {
            let w = try floats("\(name).weight", [cout, cin, k, k])
            realParameters += w.count
            return ConvLayer(name: name, inChannels: cin, outChannels: cout, kernel: k, weights: .real(w), bias: bias)
        }
        let perRow = cin * k * k
        let rowBytes = (perRow + 7) / 8
        used.formUnion(["\(name).weight_bits", "\(name).shape"])
        let bits = try file.bytes("\(name).weight_bits", shape: [cout, rowBytes])
        let shape = try file.int64s("\(name).shape", shape: [4])
        guard shape == [cout, cin, k, k].map(Int64.init) else {
            throw .badTensorData(tensor: "\(name).shape", reason: "\(shape) but the graph needs \([cout, cin, k, k])")
        }
        if perRow % 8 != 0 {
            let padMask = UInt8(truncatingIfNeeded: 0xFF << (perRow % 8))
            for o in 0..<cout where bits[o * rowBytes + rowBytes - 1] & padMask != 0 {
                throw .badTensorData(tensor: "\(name).weight_bits", reason: "row \(o) has non-zero pad bits")
            }
        }
        let alpha = try floats("\(name).alpha", [cout])
        binaryNames.insert(name)
        binaryParameters += cout * perRow
        realParameters += cout
        return ConvLayer(
            name: name, inChannels: cin, outChannels: cout, kernel: k,
            weights: .binary(bits: bits, alpha: alpha), bias: bias)
    }

    func transposed(_ name: String, _ cin: Int, _ cout: Int) throws(WeightsError) -> TransposedConvLayer {
        let w = try floats("\(name).weight", [cin, cout, 4, 4])
        let b = try floats("\(name).bias", [cout])
        realParameters += w.count + b.count
        return TransposedConvLayer(name: name, inChannels: cin, outChannels: cout, weights: w, bias: b)
    }

    /// `[C]` or `[1]`, whichever the file holds.
    func prelu(_ name: String, _ channels: Int) throws(WeightsError) -> PReLULayer {
        let tensor = "\(name).weight"
        let found = file.entries[tensor]?.shape
        let slopes = try floats(tensor, found == [1] ? [1] : [channels])
        realParameters += slopes.count
        return PReLULayer(name: name, slopes: slopes)
    }

    func finish() throws(WeightsError) {
        if let extra = file.entries.keys.filter({ !used.contains($0) }).sorted().first {
            throw .unexpectedTensor(extra)
        }
        guard binaryFlag == !declaredBinary.isEmpty else {
            throw .badMetadata(
                key: "binary", reason: "is \(binaryFlag) but binary_layers lists \(declaredBinary.count)")
        }
        guard binaryNames == declaredBinary else {
            let diff = binaryNames.symmetricDifference(declaredBinary).sorted()
            throw .badMetadata(key: "binary_layers", reason: "disagrees with the tensors on \(diff)")
        }
    }
}
