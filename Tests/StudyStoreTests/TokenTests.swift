import StudyStore
import XCTest

final class TokenTests: XCTestCase {
    func testRandomTokensAreWellFormedAndDistinct() {
        let tokens = (0..<1000).map { _ in Token.random() }
        XCTAssertTrue(tokens.allSatisfy(Token.isWellFormed))
        XCTAssertEqual(Set(tokens).count, tokens.count)
    }

    func testRejectsAnythingButThirtyTwoLowercaseHexDigits() {
        let bad = [
            "", "abc", String(repeating: "A", count: 32), String(repeating: "0", count: 31),
            String(repeating: "0", count: 33), String(repeating: "g", count: 32),
            "' OR 1=1 --" + String(repeating: "0", count: 21), String(repeating: "é", count: 16),
        ]
        for candidate in bad {
            XCTAssertFalse(Token.isWellFormed(candidate), candidate)
        }
        XCTAssertTrue(Token.isWellFormed("0123456789abcdef0123456789abcdef"))
    }
}
