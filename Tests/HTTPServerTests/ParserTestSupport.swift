import TestSupport
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
    var messages: [Request] {
        events.compactMap { if case .message(let request) = $0 { return request } else { return nil } }
    }
}

/// The parser fuzzers' generator: the shared SplitMix64.
typealias SeededGenerator = SplitMix64
