import Foundation

/// Which network made an image of a pair.
public enum StudyModel: String, Sendable, Codable, CaseIterable {
    case real
    case binary
}

/// What the voter clicked: a side of the screen, or "no difference".
public enum StudyChoice: String, Sendable, Codable, CaseIterable {
    case left
    case right
    case same
}

/// What a vote means once the hidden placement is known; this is what the store counts.
public enum StudyPreference: String, Sendable, Codable, CaseIterable {
    case real
    case binary
    case same
}

/// The part of an input a pair shows: a rectangle in the input's pixels, drawn at random when the pair is issued.
public struct StudyCrop: Sendable, Equatable, Codable {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// A `size` x `size` square at a uniformly random place of a `width` x `height` image (clamped to the image).
    public static func random<R: RandomNumberGenerator>(
        size: Int, width: Int, height: Int, using generator: inout R
    ) -> StudyCrop {
        let w = min(size, width)
        let h = min(size, height)
        return StudyCrop(
            x: Int.random(in: 0...(width - w), using: &generator),
            y: Int.random(in: 0...(height - h), using: &generator),
            width: w, height: h)
    }
}

/// Why a recorded vote does not count. The vote is kept (the pair is closed either way) and the results say how many
/// were excluded for each reason.
public enum StudyExclusion: String, Sendable, Codable, CaseIterable {
    /// The session never downloaded one or both images of the pair: the voter cannot have compared them.
    case imagesNotFetched = "images_not_fetched"
    /// The vote came sooner after the later image download than the minimum viewing time.
    case tooFast = "too_fast"
    /// Cast before the store recorded image downloads (a database from before these rules), so it cannot be checked.
    case unverified
}

/// A vote as stored: what it means and whether it counts.
public struct RecordedVote: Sendable, Equatable {
    public let preference: StudyPreference
    /// nil when the vote counts.
    public let exclusion: StudyExclusion?
}

/// A pair the server showed one session: the same input upscaled by the real and the binary network of one
/// architecture and scale, with the real result on the left or on the right.
public struct StudyPair: Sendable, Equatable {
    public let id: String
    public let session: String
    public let arch: String
    public let scale: Int
    /// Name of the input image (a bundled sample or a file of the operator's folder).
    public let input: String
    public let realOnLeft: Bool
    public let issuedAt: Date
    /// The part of the input shown; nil: the whole input (pairs issued before crops existed).
    public let crop: StudyCrop?

    public init(
        id: String, session: String, arch: String, scale: Int, input: String, realOnLeft: Bool,
        issuedAt: Date, crop: StudyCrop? = nil
    ) {
        self.id = id
        self.session = session
        self.arch = arch
        self.scale = scale
        self.input = input
        self.realOnLeft = realOnLeft
        self.issuedAt = issuedAt
        self.crop = crop
    }

    /// The model whose result is shown on `side` (`.same` is not a side and has no model).
    public func model(on side: StudyChoice) -> StudyModel? {
        switch side {
        case .left: return realOnLeft ? .real : .binary
        case .right: return realOnLeft ? .binary : .real
        case .same: return nil
        }
    }

    /// Maps the voter's click to the preference it expresses.
    public func preference(for choice: StudyChoice) -> StudyPreference {
        switch model(on: choice) {
        case .real: return .real
        case .binary: return .binary
        case nil: return .same
        }
    }
}

/// Why a vote or a pair request was refused. Each case maps to one HTTP status in the service.
public enum StudyError: Error, Equatable, CustomStringConvertible {
    /// The pair id is malformed or was never issued by this server.
    case unknownPair
    /// The pair was issued to another session (a voter replaying someone else's pair id).
    case pairOfAnotherSession
    /// This pair already has its vote.
    case alreadyVoted
    /// The pair is older than the store's pair lifetime.
    case pairExpired
    /// The session id is not a well-formed token.
    case invalidSession
    /// An argument is outside what the study accepts (empty architecture or input name, scale < 2).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unknownPair: return "unknown pair id"
        case .pairOfAnotherSession: return "this pair was issued to another session"
        case .alreadyVoted: return "this pair already has a vote"
        case .pairExpired: return "this pair has expired; ask for a new one"
        case .invalidSession: return "missing or malformed session"
        case .invalidArgument(let why): return why
        }
    }
}

/// The votes of one architecture and scale, as a row of the paper's Table 5 (Ma et al. 2019, section 4.5).
public struct StudyResult: Sendable, Equatable, Codable {
    public let arch: String
    public let scale: Int
    public let votes: Int
    /// Share of all votes that preferred each model or saw no difference, each with a 95% Wilson interval.
    public let real: ProportionEstimate
    public let binary: ProportionEstimate
    public let same: ProportionEstimate
    /// Share of the decisive votes (real or binary) that preferred the binary network: 0.5 means "can't tell".
    public let binaryAmongDecisive: ProportionEstimate

    public init(arch: String, scale: Int, real: Int, binary: Int, same: Int) {
        self.arch = arch
        self.scale = scale
        votes = real + binary + same
        self.real = ProportionEstimate(successes: real, trials: votes)
        self.binary = ProportionEstimate(successes: binary, trials: votes)
        self.same = ProportionEstimate(successes: same, trials: votes)
        binaryAmongDecisive = ProportionEstimate(successes: binary, trials: real + binary)
    }
}
