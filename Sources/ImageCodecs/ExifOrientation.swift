/// The EXIF Orientation tag of a JPEG, and the rotation/flip that undoes it.
///
/// Parsed by hand (no libexif) with every offset bounds-checked: JPEG markers per ITU-T T.81 B.1.1, the APP1
/// "Exif\0\0" payload per EXIF 2.32 section 4.5.4, TIFF 6.0 header and IFD0 entries per TIFF 6.0 section 2.
/// Anything malformed means "no orientation" (1), as browsers do: a broken EXIF block never fails a decode.
enum ExifOrientation {
    /// The Orientation value 1...8 of the first Exif APP1 segment before SOS, or nil when absent or invalid.
    static func read(jpeg bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF {  // fill byte (T.81 B.1.1.2)
                i += 1
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return nil }  // SOS/EOI: metadata is over
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {  // TEM, RSTn: no length field
                i += 2
                continue
            }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { return nil }
            let payload = (i + 4)..<(i + 2 + length)
            if marker == 0xE1, payload.count >= 6,
                bytes[payload.lowerBound..<payload.lowerBound + 6].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0])
            {
                return orientation(tiff: bytes[(payload.lowerBound + 6)..<payload.upperBound])
            }
            i += 2 + length
        }
        return nil
    }

    /// Tag 0x0112 (SHORT, count 1) in IFD0 of a TIFF structure.
    static func orientation(tiff: ArraySlice<UInt8>) -> Int? {
        let base = tiff.startIndex
        guard tiff.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (tiff[base], tiff[base + 1]) {
        case (0x49, 0x49): bigEndian = false  // "II"
        case (0x4D, 0x4D): bigEndian = true  // "MM"
        default: return nil
        }
        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= tiff.count else { return nil }
            let a = Int(tiff[base + offset])
            let b = Int(tiff[base + offset + 1])
            return bigEndian ? a << 8 | b : b << 8 | a
        }
        func u32(_ offset: Int) -> Int? {
            guard let hi = u16(bigEndian ? offset : offset + 2), let lo = u16(bigEndian ? offset + 2 : offset)
            else { return nil }
            return hi << 16 | lo
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let offset = ifd + 2 + entry * 12
            guard let tag = u16(offset) else { return nil }
            guard tag == 0x0112 else { continue }
            guard u16(offset + 2) == 3, u32(offset + 4) == 1, let value = u16(offset + 8) else { return nil }
            return (1...8).contains(value) ? value : nil
        }
        return nil
    }

    /// Whether the orientation swaps width and height (5-8 involve a quarter turn).
    static func swapsAxes(_ orientation: Int) -> Bool { orientation >= 5 }

    /// The image as it should be displayed: undoes `orientation` (EXIF 2.32 table 4.6.4 / TIFF 6.0 tag 274).
    static func apply(_ orientation: Int, to image: Image) -> Image {
        guard (2...8).contains(orientation) else { return image }
        let w = image.width
        let h = image.height
        let outW = swapsAxes(orientation) ? h : w
        let outH = swapsAxes(orientation) ? w : h
        // Output pixel (x, y) reads source index origin + x * stepX + y * stepY of the row-major source plane.
        let (origin, stepX, stepY): (Int, Int, Int)
        switch orientation {
        case 2: (origin, stepX, stepY) = (w - 1, -1, w)  // mirror horizontally
        case 3: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -1, -w)  // rotate 180
        case 4: (origin, stepX, stepY) = ((h - 1) * w, 1, -w)  // mirror vertically
        case 5: (origin, stepX, stepY) = (0, w, 1)  // transpose
        case 6: (origin, stepX, stepY) = ((h - 1) * w, -w, 1)  // rotate 90 clockwise
        case 7: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -w, -1)  // transverse
        default: (origin, stepX, stepY) = (w - 1, w, -1)  // 8: rotate 90 counter-clockwise
        }
        let n = w * h
        func remap(_ source: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
            for y in 0..<outH {
                var s = origin + y * stepY
                for x in 0..<outW {
                    out[y * outW + x] = source[s]
                    s += stepX
                }
            }
        }
        var color = [Float](repeating: 0, count: image.color.count)
        image.color.withUnsafeBufferPointer { source in
            color.withUnsafeMutableBufferPointer { out in
                for c in 0..<image.colorChannels {
                    remap(
                        UnsafeBufferPointer(rebasing: source[(c * n)..<((c + 1) * n)]),
                        into: UnsafeMutableBufferPointer(rebasing: out[(c * n)..<((c + 1) * n)]))
                }
            }
        }
        let alpha = image.alpha.map { plane in
            var out = [Float](repeating: 0, count: n)
            plane.withUnsafeBufferPointer { source in out.withUnsafeMutableBufferPointer { remap(source, into: $0) } }
            return out
        }
        return Image(
            width: outW, height: outH, colorChannels: image.colorChannels, color: color, alpha: alpha,
            sourceBitDepth: image.sourceBitDepth)
    }
}
