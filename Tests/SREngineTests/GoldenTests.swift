import Testing

@testable import SREngine

/// Network outputs against PyTorch: the engine's tiny fixtures (Fixtures/engine, made by make_fixtures.py) and the
/// training exporter's golden vectors (Fixtures/golden) when present. Tolerance 1e-4 absolute.
@Suite struct GoldenTests {
    static let tolerance: Float = 1e-4

    static func check(_ fixture: EngineFixtures.Case, run: (ModelWeights, Tensor) throws -> [Tensor]) throws {
        let weights = try ModelWeights(contentsOf: fixture.weights)
        let io = try SafeTensorsFile(contentsOf: fixture.io)
        let input = try EngineFixtures.tensor(io, "input")
        let expected = try EngineFixtures.expectedOutputs(io)
        let outputs = try run(weights, input)
        // An x4 LapSRN also yields its x2 level; SRResNet and x2 models yield one output.
        try #require(outputs.count >= expected.count)
        for (output, want) in zip(outputs.suffix(expected.count), expected) {
            try #require(output.channels == want.channels && output.height == want.height && output.width == want.width)
            let err = EngineFixtures.maxAbsDifference(output, want)
            #expect(err <= tolerance, "\(fixture.name): max abs error \(err)")
        }
    }

    @Test(arguments: EngineFixtures.tiny.map(\.name))
    func referenceMatchesPyTorchOnTinyModels(_ name: String) throws {
        let fixture = try #require(EngineFixtures.tiny.first { $0.name == name })
        try Self.check(fixture) { weights, input in
            try NetworkGraph.forward(weights.network, input, on: ReferenceBackend())
        }
    }

    @Test(.enabled(if: !EngineFixtures.golden.isEmpty, "no golden vectors exported yet"))
    func referenceMatchesGoldenVectors() throws {
        for fixture in EngineFixtures.golden {
            try Self.check(fixture) { weights, input in
                try NetworkGraph.forward(weights.network, input, on: ReferenceBackend())
            }
        }
    }
}
