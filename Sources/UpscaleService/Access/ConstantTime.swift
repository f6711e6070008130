/// Byte comparison whose running time does not depend on where the inputs differ.
///
/// A plain `==` stops at the first differing byte, so response times would tell an attacker how many leading bytes
/// of a guess are right, and a key could be found byte by byte (the classic timing attack on MAC and token checks,
/// e.g. CWE-208). Here every byte of `presented` is visited and differences are OR-ed together; the time depends
/// only on the presented length, which the client knows anyway. The secret's length is not revealed either: each
/// presented byte is compared with the secret's byte at the same position modulo its length.
enum ConstantTime {
    static func equals<Presented: Collection<UInt8>>(secret: [UInt8], presented: Presented) -> Bool {
        guard !secret.isEmpty else { return false }
        var difference = UInt(bitPattern: secret.count ^ presented.count)
        var position = 0
        for byte in presented {
            difference |= UInt(byte ^ secret[position % secret.count])
            position += 1
        }
        return difference == 0
    }
}
