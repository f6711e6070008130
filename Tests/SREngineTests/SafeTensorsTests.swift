import Foundation
import Testing

@testable import SREngine

@Suite struct SafeTensorsTests {
    let fixture = EngineFixtures.engineDirectory.appendingPathComponent("tiny_srresnet_x2_binary.safetensors")

    func load(_ data: Data) throws(WeightsError) -> ModelWeights {
        try ModelWeights(file: try SafeTensorsFile(bytes: data))
    }

    @Test func readsMetadataAndCountsParameters() throws {
        let weights = try ModelWeights(contentsOf: fixture)
        let d = weights.description
        #expect(d.arch == .srresnet && d.scale == 2 && d.blocks == 2 && d.channels == 8 && d.binary)
        #expect(d.binaryLayers.count == 4)
        // 4 binary 3x3 convs of 8 -> 8 channels.
        #expect(d.binaryParameters == 4 * 8 * 8 * 9)
        #expect(d.fileBytes == (try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int))
    }

    @Test func rejectsTruncatedFiles() throws {
        let bytes = try Data(contentsOf: fixture)
        #expect(throws: WeightsError.self) { try SafeTensorsFile(bytes: bytes.prefix(5)) }
        #expect(throws: WeightsError.self) { try SafeTensorsFile(bytes: bytes.prefix(100)) }
        do throws(WeightsError) {
            _ = try SafeTensorsFile(bytes: bytes.dropLast(4))
            Issue.record("a file missing its last bytes was accepted")
        } catch {
            guard case .truncated(let what) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(what.contains("tensor"))
        }
    }

    @Test func rejectsHugeOrBrokenHeaders() {
        var huge = Data([0, 0, 0, 0, 0, 0, 0, 1])
        huge.append(Data(repeating: 0x20, count: 16))
        #expect(throws: WeightsError.badHeader("header length 72057594037927936")) { try SafeTensorsFile(bytes: huge) }
        let notJSON = EngineFixtures.safetensors(header: [:], data: Data()).prefix(8) + Data("{oops".utf8)
        var patched = notJSON
        patched[0] = 5
        #expect(throws: WeightsError.self) { try SafeTensorsFile(bytes: patched) }
        let badOffsets = EngineFixtures.safetensors(
            header: ["a": ["dtype": "F32", "shape": [2], "data_offsets": [0, 4]]], data: Data(count: 8))
        #expect(throws: WeightsError.self) { try SafeTensorsFile(bytes: badOffsets) }
    }

    @Test func listedBinaryLayersDecideWhichTensorsAreRequired() throws {
        // Leaving body.0.conv2 out of the list makes it a real conv, whose `.weight` the file lacks.
        let data = try EngineFixtures.rewritingHeader(of: fixture) {
            var meta = $0["__metadata__"] as! [String: String]
            meta["binary_layers"] = "[\"body.0.conv1\", \"body.1.conv1\", \"body.1.conv2\"]"
            $0["__metadata__"] = meta
        }
        #expect(throws: WeightsError.missingTensor("body.0.conv2.weight")) { try load(data) }
        let flagOff = try EngineFixtures.rewritingHeader(of: fixture) {
            var meta = $0["__metadata__"] as! [String: String]
            meta["binary"] = "false"
            $0["__metadata__"] = meta
        }
        #expect(throws: WeightsError.self) { try load(flagOff) }
    }

    @Test func namesAMissingTensor() throws {
        let data = try EngineFixtures.rewritingHeader(of: fixture) { $0["body.1.conv2.alpha"] = nil }
        #expect(throws: WeightsError.missingTensor("body.1.conv2.alpha")) { try load(data) }
    }

    @Test func namesAnUnexpectedTensor() throws {
        let data = try EngineFixtures.rewritingHeader(of: fixture) {
            $0["body.9.conv1.bias"] = ["dtype": "F32", "shape": [1], "data_offsets": [0, 4]]
        }
        #expect(throws: WeightsError.unexpectedTensor("body.9.conv1.bias")) { try load(data) }
    }

    @Test func namesAWrongShapeAndDType() throws {
        let reshaped = try EngineFixtures.rewritingHeader(of: fixture) {
            var entry = $0["tail.conv.bias"] as! [String: Any]
            let offsets = entry["data_offsets"] as! [Int]
            entry["data_offsets"] = [offsets[0], offsets[0] + 8]
            entry["shape"] = [2]
            $0["tail.conv.bias"] = entry
        }
        #expect(throws: WeightsError.wrongShape(tensor: "tail.conv.bias", expected: [3], found: [2])) {
            try load(reshaped)
        }
        let retyped = try EngineFixtures.rewritingHeader(of: fixture) {
            var entry = $0["tail.conv.bias"] as! [String: Any]
            entry["dtype"] = "I32"
            $0["tail.conv.bias"] = entry
        }
        #expect(throws: WeightsError.wrongDType(tensor: "tail.conv.bias", expected: "F32", found: "I32")) {
            try load(retyped)
        }
    }

    /// The fixture's binary layers as the start of a JSON list (no closing bracket).
    static let allBinary = "[\"body.0.conv1\", \"body.0.conv2\", \"body.1.conv1\", \"body.1.conv2\""

    @Test func rejectsBadMetadata() throws {
        func edited(_ key: String, _ value: String?) throws -> Data {
            try EngineFixtures.rewritingHeader(of: fixture) {
                var meta = $0["__metadata__"] as! [String: String]
                meta[key] = value
                $0["__metadata__"] = meta
            }
        }
        for (key, value) in [
            ("arch", "vgg"), ("scale", "3"), ("binary", "yes"), ("format_version", "2"),
            ("channels", "x"), ("binary_layers", Self.allBinary + ", \"body.7.conv1\"]"),
            ("binary_layers", "body.0.conv1"), ("blocks", nil),
        ] {
            let data = try edited(key, value)
            do throws(WeightsError) {
                _ = try load(data)
                Issue.record("metadata \(key)=\(value ?? "nil") was accepted")
            } catch {
                guard case .badMetadata(let found, _) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(found == key)
            }
        }
    }
}

@Suite struct ModelCostTests {
    /// tiny_srresnet_x2_binary (C = 8, 2 blocks, x2), per output pixel (input pixels are 1/4 of them):
    /// head 3*8*81/4 = 486, body_tail 8*8*9/4 = 144, upsample 8*32*9/4 = 576, tail at full size 8*3*81 = 1944
    /// -> real 3150; four binary 8*8*9/4 convs -> 576.
    @Test func countsMultiplyAddsPerOutputPixel() throws {
        let url = EngineFixtures.engineDirectory.appendingPathComponent("tiny_srresnet_x2_binary.safetensors")
        let cost = try ModelWeights(contentsOf: url).cost
        #expect(cost.realMACsPerOutputPixel == 3150)
        #expect(cost.binaryMACsPerOutputPixel == 576)
        #expect(abs(cost.binaryShare - 576.0 / 3726) < 1e-12)
    }
}
