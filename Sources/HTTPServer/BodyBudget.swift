/// The bytes of requests all connections may hold at once (`ServerLimits.maxBufferedBodyBytes`), charged as they
/// arrive and given back when the response has been sent.
///
/// A plain value owned by the event loop (one queue), so it needs no lock. When bytes do not fit, the holder most
/// over its fair share (limit / holders) must give way, so one slow large upload cannot keep many small ones out
/// (habit: Envoy's overload manager, which resets the streams buffering the most).
struct BodyBudget: Sendable {
    let limit: Int
    private(set) var used = 0
    private var held: [Int: Int] = [:]

    init(limit: Int) { self.limit = limit }

    enum Decision: Equatable {
        case granted
        /// Close this holder (503) to make room, then charge again.
        case evict(Int)
        /// These bytes cannot be held: answer their connection 503.
        case refuse
    }

    /// Charges `bytes` to `connection`, or says who has to give way; only holders `canEvict` accepts are asked
    /// to (one whose request is already with a handler cannot give its bytes back).
    mutating func charge(_ bytes: Int, to connection: Int, canEvict: (Int) -> Bool = { _ in true }) -> Decision {
        if used + bytes <= limit {
            held[connection, default: 0] += bytes
            used += bytes
            return .granted
        }
        let holders = held.count + (held[connection] == nil ? 1 : 0)
        let share = limit / holders
        guard held[connection, default: 0] + bytes <= share,
            let largest = held.filter({ $0.key != connection && canEvict($0.key) }).max(by: { $0.value < $1.value }),
            largest.value > share
        else { return .refuse }
        return .evict(largest.key)
    }

    /// Gives back everything `connection` holds.
    mutating func release(_ connection: Int) {
        used -= held.removeValue(forKey: connection) ?? 0
    }

    /// What `connection` holds now.
    func holding(_ connection: Int) -> Int { held[connection, default: 0] }
}
