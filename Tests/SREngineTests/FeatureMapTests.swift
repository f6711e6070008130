import Testing

@testable import SREngine

/// The raw-memory helpers of the oneDNN backend: buffer recycling and the vectorised per-channel PReLU.
@Suite struct FeatureMapTests {
    @Test func poolReusesAFreedBufferOfTheSameSize() {
        let pool = BufferPool(perSize: 2, byteLimit: 1 << 20)
        let a = pool.take(4096)
        pool.give(a, byteCount: 4096)
        #expect(pool.cachedBytes == 4096)
        #expect(pool.take(4096) == a)
        #expect(pool.cachedBytes == 0)
        let b = pool.take(8192)
        #expect(b != a)
        pool.give(a, byteCount: 4096)
        pool.give(b, byteCount: 8192)
        #expect(pool.cachedBytes == 4096 + 8192)
    }

    @Test func poolKeepsWithinItsLimits() {
        let pool = BufferPool(perSize: 1, byteLimit: 10_000)
        let (a, b, c) = (pool.take(4096), pool.take(4096), pool.take(8192))
        pool.give(a, byteCount: 4096)
        pool.give(b, byteCount: 4096)  // second of one size: freed
        #expect(pool.cachedBytes == 4096)
        pool.give(c, byteCount: 8192)  // over the byte limit: freed
        #expect(pool.cachedBytes == 4096)
        #expect(Int(bitPattern: pool.take(100)) % BufferPool.alignment == 0)
    }

    /// PyTorch's PReLU is where(x >= 0, x, a * x), written here independently of the kernel.
    @Test(arguments: [64, 12, 3])
    func preluMatchesTheDefinitionBitForBit(_ channels: Int) {
        let (height, width) = (3, 5)
        let map = FeatureMap(channels: channels, height: height, width: width)
        let subnormals = [Float(bitPattern: 0x8000_0001), Float(bitPattern: 1)]
        let specials: [Float] = [-0.0, 0.0, .nan, -.infinity, .infinity] + subnormals
        var values: [Float] = []
        for i in 0..<map.count {
            values.append(i < specials.count ? specials[i] : Float((i * 7919) % 201 - 100) / 37)
        }
        let slopes = (0..<channels).map { Float($0 % 5) * 0.13 - 0.2 }
        for i in 0..<map.count { map.floats[i] = values[i] }
        map.applyPReLU(slopes)
        for i in 0..<map.count {
            let x = values[i]
            let expected = x >= 0 || x.isNaN ? x : slopes[i % channels] * x
            #expect(map.floats[i].bitPattern == expected.bitPattern, "element \(i): \(x)")
        }
    }
}
