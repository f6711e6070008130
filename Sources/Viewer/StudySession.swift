import Foundation
import HTTPServer
import StudyStore

/// The study's session cookie: a random token that binds pairs to the browser that was shown them.
///
/// HttpOnly (page scripts cannot read or copy it), SameSite=Strict (another site cannot make the browser vote),
/// Path=/study (sent only to the study's endpoints), one year: a returning voter keeps one session.
enum StudySession {
    static let cookieName = "binsr_study"
    static let maxAgeSeconds = 365 * 24 * 3600

    /// The session token from the Cookie header (RFC 6265 §5.4: `name=value` pairs separated by "; "); nil when
    /// absent or not a well-formed token, so a forged value never reaches the store.
    static func id(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                if Token.isWellFormed(value) { return value }
            }
        }
        return nil
    }

    static func setCookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/study; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Strict"
    }
}
