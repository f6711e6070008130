/// A parsed media type: `type "/" subtype *( OWS ";" OWS parameter )` (RFC 9110 §8.3.1).
/// Type, subtype and parameter names are lowercased; parameter values keep their case (boundaries are case-sensitive).
public struct MediaType: Sendable, Equatable {
    public var type: String
    public var subtype: String
    public var parameters: [String: String]

    public var essence: String { "\(type)/\(subtype)" }

    /// Nil when `text` is not a syntactically valid media type (or repeats a parameter).
    public init?(_ text: String) {
        var scanner = Substring(text)
        func token() -> String? {
            let value = scanner.prefix { $0.isASCII && $0.asciiValue!.isTokenCharacter }
            guard !value.isEmpty else { return nil }
            scanner = scanner.dropFirst(value.count)
            return String(value)
        }
        func skipWhitespace() { scanner = scanner.drop { $0 == " " || $0 == "\t" } }

        skipWhitespace()
        guard let type = token(), scanner.first == "/" else { return nil }
        scanner.removeFirst()
        guard let subtype = token() else { return nil }
        var parameters: [String: String] = [:]
        while true {
            skipWhitespace()
            if scanner.isEmpty { break }
            guard scanner.first == ";" else { return nil }
            scanner.removeFirst()
            skipWhitespace()
            if scanner.isEmpty { break }
            guard let name = token()?.lowercased(), scanner.first == "=" else { return nil }
            scanner.removeFirst()
            let value: String
            if scanner.first == "\"" {
                // quoted-string with quoted-pair (RFC 9110 §5.6.4).
                scanner.removeFirst()
                var text = ""
                var closed = false
                while let character = scanner.popFirst() {
                    if character == "\"" {
                        closed = true
                        break
                    }
                    if character == "\\" {
                        guard let escaped = scanner.popFirst() else { return nil }
                        text.append(escaped)
                    } else {
                        text.append(character)
                    }
                }
                guard closed else { return nil }
                value = text
            } else {
                guard let text = token() else { return nil }
                value = text
            }
            guard parameters[name] == nil else { return nil }
            parameters[name] = value
        }
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }
}
