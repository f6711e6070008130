import Foundation
import ImageCodecs
import Synchronization
import Testing

/// The service decodes and encodes on many threads at once: libpng, libjpeg and libwebp keep all state in per-call
/// structs (libwebp's DSP function tables are initialised once, under a mutex), and the shims add
/// no globals, so concurrent calls must give the serial results.
@Suite struct ConcurrencyTests {
    @Test func concurrentDecodesAndEncodesMatchSerialResults() throws {
        let paths = [
            "png/pngsuite/basn6a16.png", "png/pngsuite/ibasn3p08.png", "jpeg/testorig.jpg", "jpeg/testimgari.jpg",
            "png/libpng-testpngs/crashers/badcrc.png", "jpeg/monkey12.jpg", "webp/lossy_alpha1.webp",
            "webp/lossless1.webp",
        ]
        let inputs = try paths.map { try Reference.bytes($0) }
        @Sendable func run(_ bytes: [UInt8]) -> Result<Image, ImageCodecError> {
            Result { () throws(ImageCodecError) in try decodeImage(bytes) }
        }
        @Sendable func reencode(_ result: Result<Image, ImageCodecError>) -> [UInt8]? {
            (try? result.get()).flatMap { try? encodePNG($0) }
        }
        let serial = inputs.map(run)
        let serialPNG = serial.map(reencode)
        let count = 8 * inputs.count
        let results = Mutex([Result<Image, ImageCodecError>?](repeating: nil, count: count))
        let encoded = Mutex([[UInt8]?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let decoded = run(inputs[i % inputs.count])
            let png = reencode(decoded)
            results.withLock { $0[i] = decoded }
            encoded.withLock { $0[i] = png }
        }
        results.withLock { all in
            for (i, result) in all.enumerated() {
                #expect(result == serial[i % inputs.count], "\(paths[i % inputs.count])")
            }
        }
        encoded.withLock { all in
            for (i, png) in all.enumerated() { #expect(png == serialPNG[i % inputs.count]) }
        }
    }
}
