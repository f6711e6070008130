/// Unguessable identifiers for sessions and pairs: 128 random bits as 32 lowercase hex digits.
///
/// `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom(2) on Linux, arc4random on Darwin), so a
/// voter cannot predict another session's id or a pair id that the server has not handed out.
public enum Token {
    public static let length = 32

    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    /// True for strings of exactly `length` lowercase hex digits: what `random()` makes. Anything else that arrives
    /// in a cookie or a request body is rejected before it reaches the database.
    public static func isWellFormed(_ candidate: String) -> Bool {
        candidate.utf8.count == length
            && candidate.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }  // 0-9, a-f
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
