import Foundation
import StudyStore
import Testing

/// Many voters at once: every valid vote counts exactly once and no call fails with SQLITE_BUSY.
@Suite final class StudyStoreConcurrencyTests {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("studystore-\(Token.random())")
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func manyThreadsVotingCountEveryVoteOnce() throws {
        let store = try StudyStore(directory: directory)
        let voters = 16
        let votesEach = 24
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: voters) { voter in
            let session = Token.random()
            for index in 0..<votesEach {
                do {
                    // Voter v always clicks left; real is on the left for even v, so half the voters prefer real.
                    let pair = try store.issueViewedPair(
                        session: session, arch: "srresnet", scale: 2 + 2 * (index % 2),
                        input: "x", realOnLeft: voter % 2 == 0)
                    try store.vote(pairID: pair.id, session: session, choice: .left)
                } catch {
                    failures.append("\(error)")
                }
            }
        }
        #expect(failures.all == [])
        let perScale = voters * votesEach / 2
        #expect(try store.results() == ([
                StudyResult(arch: "srresnet", scale: 2, real: perScale / 2, binary: perScale / 2, same: 0),
                StudyResult(arch: "srresnet", scale: 4, real: perScale / 2, binary: perScale / 2, same: 0),
            ]))
    }

    /// The same pair voted from several threads at once (a double-clicking or scripted voter): exactly one wins.
    @Test func racingVotesOnOnePairCountOnce() throws {
        let store = try StudyStore(directory: directory)
        let session = Token.random()
        let pairs = try (0..<40).map { _ in
            try store.issueViewedPair(session: session, arch: "lapsrn", scale: 4, input: "x", realOnLeft: true)
        }
        let outcomes = Failures()
        DispatchQueue.concurrentPerform(iterations: pairs.count * 4) { attempt in
            do {
                try store.vote(pairID: pairs[attempt / 4].id, session: session, choice: .right)
                outcomes.append("ok")
            } catch {
                outcomes.append("\(error)")
            }
        }
        let all = outcomes.all
        #expect((all.filter { $0 == "ok" }.count) == pairs.count)
        #expect((all.filter { $0 == "\(StudyError.alreadyVoted)" }.count) == (pairs.count * 3))
        #expect(try store.results() == [StudyResult(arch: "lapsrn", scale: 4, real: 0, binary: 40, same: 0)])
    }

    /// Two stores on one file stand in for two server processes: WAL plus the busy timeout keep both writing.
    @Test func twoConnectionsOnOneFileBothWrite() throws {
        let first = try StudyStore(directory: directory)
        let second = try StudyStore(directory: directory)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let store = worker % 2 == 0 ? first : second
            let session = Token.random()
            for _ in 0..<20 {
                do {
                    let pair = try store.issueViewedPair(
                        session: session, arch: "srresnet", scale: 4, input: "x",
                        realOnLeft: true)
                    try store.vote(pairID: pair.id, session: session, choice: .same)
                } catch {
                    failures.append("\(error)")
                }
            }
        }
        #expect(failures.all == [])
        #expect(try first.results() == [StudyResult(arch: "srresnet", scale: 4, real: 0, binary: 0, same: 160)])
        #expect(try second.results() == first.results())
    }
}

/// A thread-safe list of strings collected from concurrent workers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func append(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
