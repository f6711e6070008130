import HTTPServer
import StudyStore

/// The study's request errors with their HTTP representation (RFC 9457 problem details via `ProblemResponse`).
enum StudyHTTPError: HTTPResponseError, Equatable {
    /// A store refusal: unknown pair, another session's pair, second vote, expired pair, bad session.
    case study(StudyError)
    /// An image or vote request without the session cookie that `GET /study/next` sets.
    case missingSession
    /// The vote body is not `application/json`.
    case unsupportedMediaType(String?)
    /// The body or a query parameter is not what the endpoint takes.
    case badRequest(String)
    /// No private pool of images is configured (`study.inputDirectory`), so the study is off.
    case off
    /// No inputs or no architecture/scale with both a real and a binary model: nothing to compare.
    case nothingToCompare
    /// A pair names an input that is no longer in the catalogue (the operator removed the file and restarted).
    case inputGone(String)
    /// The vote database could not be opened (the reason names the path and SQLite's message).
    case storeUnavailable(String)
    /// The client's address used up its new sessions or pairs for now (`study.sessionsPerMinute`,
    /// `study.pairsPerMinute`); retry after the given seconds.
    case tooManyRequests(what: String, retryAfter: Int)

    var status: HTTPResponse.Status {
        switch self {
        case .study(.unknownPair), .inputGone: .notFound
        case .study(.pairOfAnotherSession), .missingSession: .forbidden
        case .study(.alreadyVoted): .conflict
        case .study(.pairExpired): .gone
        case .study(.invalidSession), .study(.invalidArgument), .badRequest: .badRequest
        case .unsupportedMediaType: .unsupportedMediaType
        case .off, .nothingToCompare, .storeUnavailable: .serviceUnavailable
        case .tooManyRequests: .tooManyRequests
        }
    }

    var detail: String {
        switch self {
        case .study(let error): "\(error)."
        case .missingSession: "No study session: load /study (GET /study/next sets the session cookie)."
        case .unsupportedMediaType(let type): "Send the vote as application/json, not \(type ?? "no Content-Type")."
        case .badRequest(let why): why
        case .off:
            "The blind study is off: set study.inputDirectory (BINSR_STUDY_INPUT_DIRECTORY) to a private folder of "
                + "PNG/JPEG images that are not published anywhere (docs/viewer.md)."
        case .nothingToCompare:
            "The study has no input images in study.inputDirectory or no architecture with both a real and a binary "
                + "model."
        case .inputGone(let name): "The input \(name) of this pair is no longer available."
        case .storeUnavailable(let reason): "The study is unavailable: \(reason)."
        case .tooManyRequests(let what, let retryAfter):
            "Too many \(what) from your address; retry in \(retryAfter) s."
        }
    }

    var headers: HTTPFields {
        switch self {
        case .tooManyRequests(_, let retryAfter): [.retryAfter: String(retryAfter)]
        default: [:]
        }
    }
}
