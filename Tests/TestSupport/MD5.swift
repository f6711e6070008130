import Foundation

/// MD5 (RFC 1321), for comparing decoded pixels with reference lists that publish MD5 digests (libwebp's
/// `libwebp_tests.md5`). Test-only: Foundation on Linux has no digest API, and MD5 is not a security measure here.
public enum MD5 {
    /// The digest of `bytes` as 32 lowercase hex digits, as `md5sum` prints it.
    public static func hex(_ bytes: [UInt8]) -> String {
        digest(bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        // Per-round shift amounts and the sine-derived constants T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321 3.4).
        let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
        let table: [UInt32] = (0..<64).map { UInt32(UInt64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }
        var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476]

        // Padding (RFC 1321 3.1-3.2): a 1 bit, zeros to 56 mod 64 bytes, then the bit length, little-endian.
        var message = bytes
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        let bitLength = UInt64(bytes.count) &* 8
        for i in 0..<8 { message.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }

        var words = [UInt32](repeating: 0, count: 16)
        for block in stride(from: 0, to: message.count, by: 64) {
            for i in 0..<16 {
                let b = block + 4 * i
                words[i] =
                    UInt32(message[b]) | UInt32(message[b + 1]) << 8 | UInt32(message[b + 2]) << 16
                    | UInt32(message[b + 3]) << 24
            }
            var (a, b, c, d) = (state[0], state[1], state[2], state[3])
            for i in 0..<64 {
                let round = i / 16
                let f: UInt32
                let g: Int
                switch round {
                case 0: (f, g) = ((b & c) | (~b & d), i)
                case 1: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
                case 2: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
                default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
                }
                let sum = a &+ f &+ table[i] &+ words[g]
                let s = shifts[round * 4 + i % 4]
                (a, d, c) = (d, c, b)
                b = b &+ (sum << s | sum >> (32 - s))
            }
            state[0] &+= a
            state[1] &+= b
            state[2] &+= c
            state[3] &+= d
        }
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
    }
}
