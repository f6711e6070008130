import HTTPServer

/// Checks the API key of a request against every configured key.
///
/// Accepted as `Authorization: Bearer <key>` (RFC 6750 §2.1; the scheme name is case-insensitive, RFC 9110 §11.1)
/// or `X-API-Key: <key>` (what imaginary and many gateways use), never in the query string, where it would end up
/// in access logs, proxies and browser history.
struct APIKeyAuthenticator: Sendable {
    let keys: [APIKey]

    var isEnabled: Bool { !keys.isEmpty }

    /// Throws unless the request carries one of the keys (or no keys are configured).
    func authenticate(_ headers: HTTPFields) throws(AuthError) {
        guard isEnabled else { return }
        guard let presented = Self.presentedKey(headers) else { throw .missingKey }
        // Every key is compared in full, with no early exit, so the time does not tell which key (or how much of
        // one) matched.
        var matched = false
        for key in keys {
            let equal = ConstantTime.equals(secret: key.bytes, presented: presented.utf8)
            matched = matched || equal
        }
        guard matched else { throw .invalidKey }
    }

    /// The key the request presents: the Bearer credentials, else X-API-Key; nil when neither is there.
    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        if let key = headers[.xAPIKey]?.trimmingCharacters(in: .whitespaces), !key.isEmpty { return key }
        return nil
    }
}

/// A request that needs an API key came without a valid one. Never says what was presented.
enum AuthError: HTTPResponseError, Equatable {
    case missingKey
    case invalidKey

    var status: HTTPResponse.Status { .unauthorized }

    var detail: String {
        switch self {
        case .missingKey:
            "This endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."
        case .invalidKey: "The API key is not valid."
        }
    }

    /// RFC 6750 §3: the challenge names the scheme; a wrong key adds error="invalid_token".
    var headers: HTTPFields {
        switch self {
        case .missingKey: [.wwwAuthenticate: #"Bearer realm="binsr""#]
        case .invalidKey: [.wwwAuthenticate: #"Bearer realm="binsr", error="invalid_token""#]
        }
    }
}
