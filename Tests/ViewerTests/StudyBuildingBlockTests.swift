import Foundation
import HTTPServer
import ImageCodecs
import Testing

@testable import Viewer

/// A real PNG (encoded by ImageCodecs) with a gradient, so its compressed length depends on its width.
func png(width: Int, height: Int) throws -> [UInt8] {
    var color = [Float](repeating: 0, count: 3 * width * height)
    for index in color.indices { color[index] = Float(index % 251) / 250 }
    return try encodePNG(Image(width: width, height: height, colorChannels: 3, color: color))
}

@Suite("Study building blocks")
struct StudyBuildingBlockTests {
    @Test(arguments: [(10, 10), (10, 15), (10, 22), (10, 500), (300, 20)])
    func paddingMakesBothPNGsOneLengthWithTheSamePixels(firstWidth: Int, secondWidth: Int) throws {
        let first = try png(width: firstWidth, height: 7)
        let second = try png(width: secondWidth, height: 7)
        let (paddedFirst, paddedSecond) = PNGPadding.equalize(first, second)
        #expect(paddedFirst.count == paddedSecond.count)
        #expect(paddedFirst.count >= max(first.count, second.count))
        // libpng checks every chunk's CRC: a wrong padding chunk would fail to decode.
        #expect(try decodeImage(paddedFirst) == decodeImage(first))
        #expect(try decodeImage(paddedSecond) == decodeImage(second))
    }

    @Test func crc32MatchesThePNGSpecsIEND() {
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func theLimiterPassesABurstThenOneTokenPerRefill() {
        let limiter = ClientRateLimiter(perMinute: 4)
        let client = ClientAddress(key: "192.0.2.1")
        let start = ContinuousClock.now
        #expect((0..<4).map { _ in limiter.admit(client, now: start) } == [nil, nil, nil, nil])
        #expect(limiter.admit(client, now: start) == 15, "one token per 15 s at 4 per minute")
        #expect(limiter.admit(ClientAddress(key: "192.0.2.2"), now: start) == nil, "clients are counted apart")
        #expect(limiter.admit(client, now: start + .seconds(16)) == nil)
        #expect(limiter.admit(client, now: start + .seconds(17)) != nil)
    }

    @Test func theLimiterForgetsIdleClientsAndRefusesNewOnesWhenFull() {
        let limiter = ClientRateLimiter(perMinute: 2, maxClients: 2)
        let start = ContinuousClock.now
        #expect(limiter.admit(ClientAddress(key: "a"), now: start) == nil)
        #expect(limiter.admit(ClientAddress(key: "b"), now: start) == nil)
        #expect(limiter.admit(ClientAddress(key: "c"), now: start) == 60, "full of active clients: fail closed")
        #expect(limiter.admit(ClientAddress(key: "c"), now: start + .seconds(61)) == nil, "idle ones forgotten")
        #expect(limiter.trackedClients == 1)
    }

    @Test(
        arguments: [
            ("192.0.2.7", "", nil, "192.0.2.7"),
            ("::ffff:192.0.2.7", "", nil, "192.0.2.7"),
            ("2001:db8:1:2:3:4:5:6", "", nil, "2001:db8:1:2::/64"),
            ("2001:db8:1:2:ffff::1", "", nil, "2001:db8:1:2::/64"),
            ("10.0.0.1", "X-Forwarded-For", "203.0.113.9, 198.51.100.4", "198.51.100.4"),
            ("10.0.0.1", "X-Forwarded-For", nil, "10.0.0.1"),
            ("10.0.0.1", "", "203.0.113.9", "10.0.0.1"),
        ] as [(String, String, String?, String)])
    func clientAddresses(remote: String, header: String, forwarded: String?, expected: String) {
        var headers = HTTPFields()
        if let forwarded { headers[HTTPField.Name("X-Forwarded-For")!] = forwarded }
        #expect(ClientAddress(remote: remote, headers: headers, trustedHeader: header).key == expected)
    }
}
