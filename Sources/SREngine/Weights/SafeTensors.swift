import Foundation

/// A parsed safetensors container (https://github.com/huggingface/safetensors#format): an 8-byte little-endian
/// header length, a JSON header mapping names to `{dtype, shape, data_offsets}` plus optional `__metadata__`, then
/// the tensor bytes. Every offset is checked against the file size before any byte is read.
public struct SafeTensorsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        /// Byte range inside the data section (after the header).
        public let range: Range<Int>
    }

    /// Header sizes above this are refused before allocation (the Rust reference uses 100 MB).
    static let maxHeaderBytes = 100_000_000
    static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    public let entries: [String: Entry]
    public let metadata: [String: String]
    let data: Data

    public init(contentsOf url: URL) throws(WeightsError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        do {
            try self.init(bytes: bytes)
        } catch {
            throw error.inFile(url.path)
        }
    }

    public init(bytes: Data) throws(WeightsError) {
        guard bytes.count >= 8 else { throw .truncated("\(bytes.count) bytes, the header length needs 8") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[bytes.startIndex + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else { throw .badHeader("header length \(headerLength)") }
        let headerEnd = 8 + Int(headerLength)
        guard bytes.count >= headerEnd else {
            throw .truncated("header needs \(headerLength) bytes, file has \(bytes.count - 8) after the length")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(
                with: bytes.subdata(in: bytes.startIndex + 8..<bytes.startIndex + headerEnd))
        } catch {
            throw .badHeader("not JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else { throw .badHeader("top level is not an object") }
        let data = bytes.subdata(in: bytes.startIndex + headerEnd..<bytes.endIndex)
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let meta = value as? [String: Any] else { throw .badHeader("__metadata__ is not an object") }
                for (key, item) in meta {
                    guard let string = item as? String else {
                        throw .badMetadata(key: key, reason: "value is not a string")
                    }
                    metadata[key] = string
                }
                continue
            }
            entries[name] = try Self.entry(name: name, value: value, dataCount: data.count)
        }
        self.entries = entries
        self.metadata = metadata
        self.data = data
    }

    private static func entry(name: String, value: Any, dataCount: Int) throws(WeightsError) -> Entry {
        guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
            let shapeValues = fields["shape"] as? [NSNumber], let offsets = fields["data_offsets"] as? [NSNumber],
            offsets.count == 2
        else { throw .badHeader("entry '\(name)' lacks dtype, shape or data_offsets") }
        guard let size = elementSizes[dtype] else { throw .badHeader("entry '\(name)' has unknown dtype \(dtype)") }
        let shape = shapeValues.map { $0.intValue }
        guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else { throw .badHeader("entry '\(name)' shape \(shape)") }
        let start = offsets[0].intValue
        let end = offsets[1].intValue
        guard start >= 0, end >= start else { throw .badHeader("entry '\(name)' offsets \(start)..<\(end)") }
        guard end <= dataCount else {
            throw .truncated("tensor '\(name)' ends at byte \(end) of a \(dataCount)-byte data section")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count * size == end - start else {
            throw .badHeader(
                "entry '\(name)' holds \(end - start) bytes, shape \(shape) of \(dtype) needs \(count * size)")
        }
        return Entry(dtype: dtype, shape: shape, range: start..<end)
    }

    /// The tensor's entry after checking its dtype and shape; nil in `shape` skips the shape check.
    public func entry(_ name: String, dtype: String, shape: [Int]?) throws(WeightsError) -> Entry {
        guard let entry = entries[name] else { throw .missingTensor(name) }
        guard entry.dtype == dtype else { throw .wrongDType(tensor: name, expected: dtype, found: entry.dtype) }
        if let shape, entry.shape != shape { throw .wrongShape(tensor: name, expected: shape, found: entry.shape) }
        return entry
    }

    public func floats(_ name: String, shape: [Int]) throws(WeightsError) -> [Float] {
        let entry = try entry(name, dtype: "F32", shape: shape)
        return littleEndian(entry, as: Float.self)
    }

    public func bytes(_ name: String, shape: [Int]) throws(WeightsError) -> [UInt8] {
        [UInt8](data[try entry(name, dtype: "U8", shape: shape).range])
    }

    public func int64s(_ name: String, shape: [Int]) throws(WeightsError) -> [Int64] {
        littleEndian(try entry(name, dtype: "I64", shape: shape), as: Int64.self)
    }

    private func littleEndian<T: FixedWidthInteger>(_ entry: Entry, as: T.Type) -> [T] {
        let slice = data[entry.range]
        return slice.withUnsafeBytes { raw in
            (0..<slice.count / MemoryLayout<T>.size).map {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
            }
        }
    }

    private func littleEndian(_ entry: Entry, as: Float.Type) -> [Float] {
        littleEndian(entry, as: UInt32.self).map { Float(bitPattern: $0) }
    }
}
