import CDNNL
import CQuantize
import Dispatch
import Foundation

/// An activation for the oneDNN backend: one image (batch 1) in NHWC order, f32 or bf16, in a 64-byte aligned buffer.
/// NHWC is kept from the first layer to the last so no layout reorders run between layers; the few loops that touch
/// the raw bytes (packing, pixel shuffle, bf16 rounding) live in this file.
final class FeatureMap {
    enum Element {
        case f32, bf16, s8

        var size: Int {
            switch self {
            case .f32: return 4
            case .bf16: return 2
            case .s8: return 1
            }
        }

        var dnnl: dnnl_data_type_t {
            switch self {
            case .f32: return dnnl_f32
            case .bf16: return dnnl_bf16
            case .s8: return dnnl_s8
            }
        }
    }

    let channels: Int
    let height: Int
    let width: Int
    let element: Element
    let raw: UnsafeMutableRawPointer
    /// Set for a view into another map's rows: that map owns (and keeps alive) the buffer.
    private let owner: FeatureMap?

    init(channels: Int, height: Int, width: Int, element: Element = .f32) {
        self.channels = channels
        self.height = height
        self.width = width
        self.element = element
        raw = BufferPool.shared.take(channels * height * width * element.size)
        owner = nil
    }

    /// Rows `rows` of `base`, sharing its buffer (NHWC rows are contiguous).
    init(rows: Range<Int>, of base: FeatureMap) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= base.height)
        channels = base.channels
        height = rows.count
        width = base.width
        element = base.element
        raw = base.raw + rows.lowerBound * base.width * base.channels * base.element.size
        owner = base
    }

    deinit { if owner == nil { BufferPool.shared.give(raw, byteCount: byteCount) } }

    var count: Int { channels * height * width }
    var byteCount: Int { count * element.size }
    var floats: UnsafeMutablePointer<Float> {
        precondition(element == .f32, "f32 view of a bf16 feature map")
        return raw.assumingMemoryBound(to: Float.self)
    }

    func desc() throws(DNNLError) -> dnnl_memory_desc_t {
        try dnnlMemoryDesc([1, channels, height, width], element.dnnl, dnnl_nhwc)
    }

    /// A oneDNN memory object over this buffer; the caller destroys it after execution.
    func memory() throws(DNNLError) -> dnnl_memory_t {
        var md = try desc()
        var memory: dnnl_memory_t?
        try dnnlCheck(dnnl_memory_create(&memory, &md, DNNLEngine.shared.handle, raw), "dnnl_memory_create")
        return memory!
    }

    /// Planar `[C, H, W]` to NHWC f32.
    convenience init(planar tensor: Tensor) {
        self.init(channels: tensor.channels, height: tensor.height, width: tensor.width)
        let out = floats
        let (c, plane) = (tensor.channels, tensor.plane)
        tensor.data.withUnsafeBufferPointer { src in
            for ch in 0..<c { for p in 0..<plane { out[p * c + ch] = src[ch * plane + p] } }
        }
    }

    /// NHWC f32 to planar `[C, H, W]`.
    func planar() -> Tensor {
        let f = element == .f32 ? self : converted(to: .f32)
        let plane = height * width
        var data = [Float](repeating: 0, count: count)
        let src = f.floats
        data.withUnsafeMutableBufferPointer { out in
            for ch in 0..<channels { for p in 0..<plane { out[ch * plane + p] = src[p * channels + ch] } }
        }
        return Tensor(channels: channels, height: height, width: width, data: data)
    }

    /// A copy in another element type; f32 to bf16 rounds to nearest even (finite inputs).
    func converted(to target: Element) -> FeatureMap {
        if target == element { return self }
        precondition(target != .s8 && element != .s8, "int8 goes through quantizedS8()")
        let out = FeatureMap(channels: channels, height: height, width: width, element: target)
        let buffers = Buffers(source: raw, destination: out.raw)
        if target == .bf16 {
            Self.forEachChunk(count) { range in
                let (src, dst) = (buffers.source, buffers.destination)
                var i = range.lowerBound
                while i + 16 <= range.upperBound {  // 16 lanes at a time: the scalar loop did not vectorise
                    let bits = src.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self)
                    dst.storeBytes(of: Self.bf16Bits(bits), toByteOffset: 2 * i, as: SIMD16<UInt16>.self)
                    i += 16
                }
                let (s32, d16) = (src.assumingMemoryBound(to: UInt32.self), dst.assumingMemoryBound(to: UInt16.self))
                for j in i..<range.upperBound { d16[j] = Self.bf16Bits(s32[j]) }
            }
        } else {
            Self.forEachChunk(count) { range in
                let src = buffers.source.assumingMemoryBound(to: UInt16.self)
                let dst = buffers.destination.assumingMemoryBound(to: UInt32.self)
                for i in range { dst[i] = UInt32(src[i]) << 16 }
            }
        }
        return out
    }

    /// f32 bits to bf16 bits, rounding to nearest even (finite inputs).
    @inline(__always) static func bf16Bits(_ bits: UInt32) -> UInt16 {
        UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    @inline(__always) static func bf16Bits(_ bits: SIMD16<UInt32>) -> SIMD16<UInt16> {
        SIMD16<UInt16>(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16)
    }

    /// `prelu(self)` rounded to bf16 in one pass: the input of the next conv under `Precision.bf16All`, when
    /// nothing else reads the f32 activation (inside a residual block).
    func preluToBF16(_ slopes: [Float]) -> FeatureMap {
        precondition(element == .f32 && slopes.count == channels, "preluToBF16 needs f32 and C slopes")
        let out = FeatureMap(channels: channels, height: height, width: width, element: .bf16)
        let buffers = Buffers(source: raw, destination: out.raw)
        let c = channels
        if c % 16 == 0 {
            let lanes = stride(from: 0, to: c, by: 16).map { j in SIMD16<Float>((0..<16).map { slopes[j + $0] }) }
            Self.forEachChunk(height * width, minimum: 1024) { pixels in
                let (src, dst) = (buffers.source, buffers.destination)
                lanes.withUnsafeBufferPointer { a in
                    for pixel in pixels {
                        for (j, slope) in a.enumerated() {
                            let index = pixel * c + 16 * j
                            let v = src.loadUnaligned(fromByteOffset: 4 * index, as: SIMD16<Float>.self)
                            let y = v.replacing(with: v * slope, where: v .< 0)
                            dst.storeBytes(of: Self.bf16Bits(unsafeBitCast(y, to: SIMD16<UInt32>.self)),
                                           toByteOffset: 2 * index, as: SIMD16<UInt16>.self)
                        }
                    }
                }
            }
            return out
        }
        Self.forEachChunk(height * width, minimum: 1024) { pixels in
            let src = buffers.source.assumingMemoryBound(to: Float.self)
            let dst = buffers.destination.assumingMemoryBound(to: UInt16.self)
            slopes.withUnsafeBufferPointer { slope in
                for pixel in pixels {
                    let base = pixel * c
                    for ch in 0..<c {
                        let v = src[base + ch]
                        dst[base + ch] = Self.bf16Bits((v < 0 ? v * slope[ch] : v).bitPattern)
                    }
                }
            }
        }
        return out
    }

    /// Runs `body` over `0..<count` split into one contiguous chunk per core (one chunk when small): the
    /// element-wise passes between oneDNN primitives would otherwise leave a core idle.
    static func forEachChunk(_ count: Int, minimum: Int = 1 << 15, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount, count / minimum)
        if chunks <= 1 { return body(0..<count) }
        DispatchQueue.concurrentPerform(iterations: chunks) { i in body(count * i / chunks..<count * (i + 1) / chunks) }
    }

    func copy() -> FeatureMap {
        let out = FeatureMap(channels: channels, height: height, width: width, element: element)
        out.raw.copyMemory(from: raw, byteCount: byteCount)
        return out
    }

    /// Writes `part` (same channels, half the size) to the pixels (2h + dy, 2w + dx): one sub-pixel position of
    /// PyTorch `PixelShuffle(2)`, whose output (2h + dy, 2w + dx, c) is input (h, w, 4c + 2dy + dx).
    func scatter(_ part: FeatureMap, dy: Int, dx: Int) {
        precondition(
            element == part.element && part.channels == channels
                && 2 * part.height == height && 2 * part.width == width, "scatter: shape mismatch")
        let bytes = channels * element.size
        let buffers = Buffers(source: part.raw, destination: raw)
        let (partWidth, width) = (part.width, width)
        Self.forEachChunk(part.height, minimum: 8) { rows in
            for h in rows {
                for w in 0..<partWidth {
                    (buffers.destination + ((2 * h + dy) * width + 2 * w + dx) * bytes)
                        .copyMemory(from: buffers.source + (h * partWidth + w) * bytes, byteCount: bytes)
                }
            }
        }
    }

    /// PyTorch `PixelShuffle(2)` on channels `(2 dy + dx) * n + o`: pixel (2h + dy, 2w + dx) of channel o is
    /// (h, w) of that channel. (The channel order of `PhaseTail`, phase-major.)
    func depthToSpace2(channels n: Int) -> FeatureMap {
        precondition(element == .f32 && channels == 4 * n, "depthToSpace2: needs 4n f32 channels")
        let out = FeatureMap(channels: n, height: 2 * height, width: 2 * width)
        let (src, dst) = (floats, out.floats)
        for h in 0..<height {
            for w in 0..<width {
                let pixel = src + (h * width + w) * channels
                for phase in 0..<4 {
                    let target = dst + ((2 * h + phase / 2) * out.width + 2 * w + phase % 2) * n
                    target.update(from: pixel + phase * n, count: n)
                }
            }
        }
        return out
    }

    /// In-place PReLU with one slope per channel (f32 only).
    func applyPReLU(_ slopes: [Float]) {
        precondition(element == .f32 && slopes.count == channels, "per-channel PReLU needs f32 and C slopes")
        let data = floats
        let pixels = height * width
        // Branch-free 8-wide select: the scalar `where p[c] < 0` loop did not vectorise. x < 0 picks x * a, as
        // PyTorch's where(x >= 0, x, a * x) does (so -0 and NaN pass through unchanged): bit-exact.
        if channels % 8 == 0 {
            let lanes = stride(from: 0, to: channels, by: 8).map { c in
                SIMD8<Float>((0..<8).map { slopes[c + $0] })
            }
            let buffers = Buffers(source: UnsafeMutableRawPointer(data), destination: UnsafeMutableRawPointer(data))
            let channels = channels
            Self.forEachChunk(pixels, minimum: 1024) { range in
                let raw = buffers.source
                lanes.withUnsafeBufferPointer { a in
                for pixel in range {
                    let base = pixel * channels * 4
                    for (j, slope) in a.enumerated() {
                        let offset = base + j * 32
                        let v = raw.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                        raw.storeBytes(of: v.replacing(with: v * slope, where: v .< 0), toByteOffset: offset,
                            as: SIMD8<Float>.self)
                    }
                }
                }
            }
            return
        }
        slopes.withUnsafeBufferPointer { a in
            for pixel in 0..<pixels {
                let p = data + pixel * channels
                for c in 0..<channels where p[c] < 0 { p[c] *= a[c] }
            }
        }
    }

    /// int8 quantization of `prelu(self)` (of `self` without slopes) with a step per channel that is an integer
    /// multiple of one base step: channel c ≈ q * scale * multipliers[c], multipliers in 1...maxMultiplier. A conv
    /// then multiplies its ±1 weights of input channel c by multipliers[c] (still exact in int8), so every channel
    /// gets (nearly) the finest step its own range allows instead of one step for the whole tensor, and nothing is
    /// ever clipped: the widest channel has multiplier maxMultiplier and step max|x| / 127, a channel of half that
    /// range gets ceil(maxMultiplier / 2), and one under 1/maxMultiplier of it gets the base step. Dynamic (computed
    /// from this map, per tile): no calibration set. Two passes, on oneDNN's own OpenMP threads (`CQuantize`):
    /// Dispatch workers would compete with those, which spin between primitives (measured slower than one thread).
    func quantizedS8(slopes: [Float]? = nil, maxMultiplier: Int) -> QuantizedMap {
        precondition(element == .f32 && (slopes == nil || slopes!.count == channels || slopes!.count == 1))
        let a = slopes.map { $0.count == 1 ? [Float](repeating: $0[0], count: channels) : $0 }
            ?? [Float](repeating: 1, count: channels)
        var largest = [Float](repeating: 0, count: channels)
        a.withUnsafeBufferPointer { a in
            largest.withUnsafeMutableBufferPointer { m in
                binsr_channel_max_abs_prelu(floats, height * width, channels, a.baseAddress, m.baseAddress)
            }
        }
        let top = largest.max() ?? 0
        guard top > 0 && top.isFinite else {
            return QuantizedMap(
                map: quantized(slopes: a, multipliers: [Float](repeating: 0, count: channels)), scale: 1,
                multipliers: [Int](repeating: 1, count: channels))
        }
        // Base step: the widest channel's own step (top / 127) over the largest multiplier.
        let scale = top / 127 / Float(maxMultiplier)
        let multipliers = largest.map { m in min(maxMultiplier, max(1, Int((m / 127 / scale).rounded(.up)))) }
        return QuantizedMap(
            map: quantized(slopes: a, multipliers: multipliers.map { 1 / (scale * Float($0)) }), scale: scale,
            multipliers: multipliers)
    }

    private func quantized(slopes a: [Float], multipliers: [Float]) -> FeatureMap {
        let out = FeatureMap(channels: channels, height: height, width: width, element: .s8)
        a.withUnsafeBufferPointer { a in
            multipliers.withUnsafeBufferPointer { k in
                binsr_quantize_prelu_s8(
                    floats, out.raw.assumingMemoryBound(to: Int8.self), height * width, channels, a.baseAddress,
                    k.baseAddress)
            }
        }
        return out
    }

    /// The first `n` channels (f32), plus `residual` when given.
    func leadingChannels(_ n: Int, adding residual: FeatureMap?) -> FeatureMap {
        precondition(element == .f32 && n <= channels)
        let out = FeatureMap(channels: n, height: height, width: width)
        let (src, dst) = (floats, out.floats)
        let add = residual.map { r -> UnsafeMutablePointer<Float> in
            precondition(r.element == .f32 && r.channels == n && r.height == height && r.width == width)
            return r.floats
        }
        for pixel in 0..<height * width {
            for c in 0..<n { dst[pixel * n + c] = src[pixel * channels + c] + (add?[pixel * n + c] ?? 0) }
        }
        return out
    }
}

/// An s8 feature map and how to read it back: channel c ≈ q * scale * multipliers[c] (`FeatureMap.quantizedS8`).
struct QuantizedMap {
    let map: FeatureMap
    let scale: Float
    let multipliers: [Int]
}

/// Raw buffers shared by the chunks of one pass; each chunk writes a disjoint range.
private struct Buffers: @unchecked Sendable {
    let source: UnsafeMutableRawPointer
    let destination: UnsafeMutableRawPointer
}
