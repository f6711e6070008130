/// Makes the two PNGs of a study pair the same length.
///
/// The real and the binary network's outputs compress differently, so the byte counts of the two images (visible
/// to any client as Content-Length) could hint which side is which. Padding the shorter file with a private
/// ancillary chunk (PNG spec §5.4: lowercase first letter = ancillary, decoders skip it; lowercase second = private)
/// before IEND changes no pixel and leaves both files the same length.
enum PNGPadding {
    /// `bnPd`: ancillary, private, reserved bit clear (uppercase third letter, §5.4), safe to copy.
    static let chunkType = Array("bnPd".utf8)
    /// Length, type and CRC fields: the smallest chunk is 12 bytes.
    static let chunkOverhead = 12

    /// Both PNGs padded to a common length; unchanged when equal or when either is not a PNG ending in IEND.
    static func equalize(_ first: [UInt8], _ second: [UInt8]) -> ([UInt8], [UInt8]) {
        guard first.count != second.count, endsWithIEND(first), endsWithIEND(second) else { return (first, second) }
        let gap = abs(first.count - second.count)
        // A gap below the overhead cannot be filled by one chunk; pad the longer by an empty chunk as well.
        let longerPad = gap < chunkOverhead ? chunkOverhead : 0
        let shorterPad = gap + longerPad
        if first.count < second.count {
            return (padded(first, by: shorterPad), padded(second, by: longerPad))
        }
        return (padded(first, by: longerPad), padded(second, by: shorterPad))
    }

    /// `png` with a padding chunk of `extra` bytes in all (0, or at least `chunkOverhead`) inserted before IEND.
    static func padded(_ png: [UInt8], by extra: Int) -> [UInt8] {
        guard extra >= chunkOverhead else { return png }
        let dataLength = extra - chunkOverhead
        var chunk = withUnsafeBytes(of: UInt32(dataLength).bigEndian) { Array($0) }
        let typeAndData = chunkType + [UInt8](repeating: 0, count: dataLength)
        chunk += typeAndData
        chunk += withUnsafeBytes(of: CRC32.checksum(typeAndData).bigEndian) { Array($0) }
        var result = png
        result.insert(contentsOf: chunk, at: png.count - chunkOverhead)
        return result
    }

    /// A well-formed PNG ends with the 12-byte IEND chunk (§11.2.5): length 0, "IEND", its fixed CRC.
    static func endsWithIEND(_ png: [UInt8]) -> Bool {
        png.count >= 8 + chunkOverhead && png.suffix(8).elementsEqual([0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }
}

/// CRC-32 as PNG uses it (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320; PNG spec Annex D).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
