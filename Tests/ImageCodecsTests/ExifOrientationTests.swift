import Foundation
import Testing

@testable import ImageCodecs

@Suite struct ExifOrientationTests {
    static let landscapes = (0...8).map { "jpeg/exif-orientation/Landscape_\($0).jpg" }
    static let upright = Result { try decodeImage(try Reference.bytes("jpeg/exif-orientation/Landscape_1.jpg")) }

    static func meanAbsoluteError(_ a: Image, _ b: Image) -> Double {
        a.color.withUnsafeBufferPointer { a in
            b.color.withUnsafeBufferPointer { b in
                var sum = 0.0
                for i in 0..<min(a.count, b.count) { sum += Double(abs(a[i] - b[i])) }
                return sum / Double(a.count)
            }
        }
    }

    /// All nine files show the same upright picture once their orientation is applied; they were re-encoded
    /// separately (the quarter-turned ones with their chroma subsampled along the other axis), so they differ
    /// from Landscape_1 by JPEG noise: measured MAE 0.000-0.015, against > 0.05 for a wrong orientation.
    @Test(arguments: landscapes)
    func everyOrientationComesOutUpright(path: String) throws {
        let upright = try Self.upright.get()
        let image = try decodeImage(try Reference.bytes(path))
        #expect(image.width == upright.width && image.height == upright.height)
        #expect(Self.meanAbsoluteError(image, upright) < 0.02)
    }

    /// Negative control: the same files without orientation handling are visibly different (transposed or
    /// flipped), so the test above could fail.
    @Test(arguments: 2...8)
    func ignoringOrientationLeavesTheStoredLayout(orientation: Int) throws {
        let bytes = try Reference.bytes("jpeg/exif-orientation/Landscape_\(orientation).jpg")
        #expect(ExifOrientation.read(jpeg: bytes) == orientation)
        let stored = try decodeImage(bytes, options: DecodeOptions(applyOrientation: false))
        let upright = try Self.upright.get()
        if orientation >= 5 {
            #expect(stored.width == upright.height && stored.height == upright.width)
        } else {
            #expect(Self.meanAbsoluteError(stored, upright) > 0.05)
        }
    }

    /// A 3x2 image with distinct values, and what a viewer shows for each orientation (EXIF 2.32 table 4.6.4):
    /// stored rows "0 1 2 / 3 4 5".
    @Test func transformsMatchTheEXIFTable() {
        let image = Image(
            width: 3, height: 2, colorChannels: 1, color: [0, 1, 2, 3, 4, 5].map { Float($0) },
            alpha: [10, 11, 12, 13, 14, 15])
        let expected: [Int: (Int, [Float])] = [
            1: (3, [0, 1, 2, 3, 4, 5]),
            2: (3, [2, 1, 0, 5, 4, 3]),
            3: (3, [5, 4, 3, 2, 1, 0]),
            4: (3, [3, 4, 5, 0, 1, 2]),
            5: (2, [0, 3, 1, 4, 2, 5]),
            6: (2, [3, 0, 4, 1, 5, 2]),
            7: (2, [5, 2, 4, 1, 3, 0]),
            8: (2, [2, 5, 1, 4, 0, 3]),
        ]
        for (orientation, (width, values)) in expected {
            let out = ExifOrientation.apply(orientation, to: image)
            #expect(out.width == width && out.height == 6 / width, "orientation \(orientation)")
            #expect(out.color == values, "orientation \(orientation)")
            #expect(out.alpha == values.map { $0 + 10 }, "orientation \(orientation) alpha")
        }
    }

    /// An APP1 Exif segment with IFD0 holding only Orientation, in either TIFF byte order.
    static func exifSegment(orientation: UInt16, bigEndian: Bool) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] {
            bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
        func u32(_ v: UInt32) -> [UInt8] {
            bigEndian
                ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF))
                : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16))
        }
        let tiff =
            (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(8) + u16(1)
            + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
        let payload: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    @Test(arguments: [false, true])
    func parsesBothTIFFByteOrders(bigEndian: Bool) throws {
        let original = try Reference.bytes("jpeg/testorig.jpg")
        let tagged = Array(original[0..<2]) + Self.exifSegment(orientation: 6, bigEndian: bigEndian) + original[2...]
        #expect(ExifOrientation.read(jpeg: tagged) == 6)
        let rotated = try decodeImage(tagged)
        let plain = try decodeImage(original)
        #expect(rotated == ExifOrientation.apply(6, to: plain))
        #expect(rotated.width == plain.height)
        #expect(try readImageHeader(tagged) == ImageHeader(width: plain.height, height: plain.width, format: .jpeg))
    }

    @Test func malformedExifIsIgnored() throws {
        let original = try Reference.bytes("jpeg/testorig.jpg")
        let good = Self.exifSegment(orientation: 3, bigEndian: false)
        // Out-of-range value, then every truncation of the TIFF payload with a consistent segment length.
        var candidates: [[UInt8]] = [Self.exifSegment(orientation: 9, bigEndian: true)]
        for cut in 10..<good.count {
            var segment = Array(good[0..<cut])
            segment[2] = UInt8((cut - 2) >> 8)
            segment[3] = UInt8((cut - 2) & 0xFF)
            candidates.append(segment)
        }
        for segment in candidates {
            let tagged = Array(original[0..<2]) + segment + original[2...]
            let orientation = ExifOrientation.read(jpeg: tagged)
            #expect(orientation == nil || segment.count >= good.count - 6)
        }
        #expect(ExifOrientation.read(jpeg: [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]) == nil)
        #expect(ExifOrientation.read(jpeg: [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]) == nil)
    }
}
