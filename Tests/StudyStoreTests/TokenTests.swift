import StudyStore
import Testing

@Suite final class TokenTests {
    @Test func randomTokensAreWellFormedAndDistinct() {
        let tokens = (0..<1000).map { _ in Token.random() }
        #expect(tokens.allSatisfy(Token.isWellFormed))
        #expect(Set(tokens).count == tokens.count)
    }

    @Test func rejectsAnythingButThirtyTwoLowercaseHexDigits() {
        let bad = [
            "", "abc", String(repeating: "A", count: 32), String(repeating: "0", count: 31),
            String(repeating: "0", count: 33), String(repeating: "g", count: 32),
            "' OR 1=1 --" + String(repeating: "0", count: 21), String(repeating: "é", count: 16),
        ]
        for candidate in bad {
            #expect(!Token.isWellFormed(candidate), "\(candidate)")
        }
        #expect(Token.isWellFormed("0123456789abcdef0123456789abcdef"))
    }
}
