@testable import HTTPServer

/// What feeding a byte sequence to a parser produced: the events, then the error that stopped it, if any.
struct ParseOutcome: Equatable {
    var events: [RequestParser.Event] = []
    var error: HTTPParseError?
}

/// Feeds `bytes` to a fresh parser in pieces cut at `cuts` (sorted offsets), draining events after each piece.
func parse(_ bytes: [UInt8], cuts: [Int] = [], limits: ServerLimits = ServerLimits()) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var outcome = ParseOutcome()
    var previous = 0
    for cut in cuts + [bytes.count] where cut >= previous {
        parser.append(bytes[previous..<cut])
        previous = cut
        do {
            while let event = try parser.next() { outcome.events.append(event) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

func parse(_ text: String, limits: ServerLimits = ServerLimits()) -> ParseOutcome {
    parse(Array(text.utf8), limits: limits)
}

/// Parses `text` whole and split at every single offset (and byte by byte); all must agree. Returns the outcome.
func parseAtEverySplit(_ text: String, limits: ServerLimits = ServerLimits()) -> (ParseOutcome, Bool) {
    let bytes = Array(text.utf8)
    let whole = parse(bytes, limits: limits)
    var agree = true
    for offset in 0...bytes.count where parse(bytes, cuts: [offset], limits: limits) != whole { agree = false }
    if parse(bytes, cuts: Array(0...bytes.count), limits: limits) != whole { agree = false }
    return (whole, agree)
}

extension ParseOutcome {
    var messages: [HTTPRequest] {
        events.compactMap { if case .message(let request) = $0 { return request } else { return nil } }
    }
}

/// SplitMix64 (Steele et al., OOPSLA 2014): a tiny seeded generator so randomised tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
