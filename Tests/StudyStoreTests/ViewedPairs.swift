import Foundation
import StudyStore

extension StudyStore {
    /// Issues a pair and records both image downloads at its issue time, as a browser showing it does: votes on it
    /// pass the ballot rules (with the default `minViewSeconds` of 0).
    func issueViewedPair(
        session: String, arch: String, scale: Int, input: String, realOnLeft: Bool, now: Date = Date()
    ) throws -> StudyPair {
        let pair = try issuePair(
            session: session, arch: arch, scale: scale, input: input, realOnLeft: realOnLeft, now: now)
        for side in [StudyChoice.left, .right] {
            try recordImageFetch(pairID: pair.id, session: session, side: side, now: now)
        }
        return pair
    }
}
