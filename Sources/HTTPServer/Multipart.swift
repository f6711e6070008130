/// One part of a multipart/form-data body (RFC 7578).
public struct MultipartPart: Sendable, Equatable {
    /// The `name` of the form field (Content-Disposition).
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: [UInt8]
}

/// Why a multipart body was rejected; all map to 400 except where noted.
public enum MultipartError: Error, Equatable, Sendable {
    case missingBoundary
    case invalidBoundary(String)
    case malformed(String)
    case tooManyParts(limit: Int)
}

extension MultipartError: HTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }
    public var detail: String {
        switch self {
        case .missingBoundary: "multipart/form-data without a boundary parameter."
        case .invalidBoundary(let boundary): "Invalid multipart boundary '\(boundary)' (RFC 2046 §5.1.1)."
        case .malformed(let reason): "Malformed multipart body: \(reason)."
        case .tooManyParts(let limit): "The multipart body has more than \(limit) parts."
        }
    }
}

/// A strict parser for complete multipart/form-data bodies (RFC 7578, RFC 2046 §5.1). Pure: bytes in, parts out.
public struct MultipartParser: Sendable {
    public let boundary: [UInt8]
    public var maxParts = 16
    public var maxPartHeaderBytes = 8 * 1024

    /// Takes the boundary from a Content-Type value such as `multipart/form-data; boundary=----x`.
    public init(contentType: MediaType) throws(MultipartError) {
        guard let boundary = contentType.parameters["boundary"] else { throw .missingBoundary }
        try self.init(boundary: boundary)
    }

    public init(boundary: String) throws(MultipartError) {
        // RFC 2046 §5.1.1: 1 to 70 bchars, not ending in a space.
        let bchars = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.allSatisfy(bchars.contains), bytes.last != .space else {
            throw .invalidBoundary(boundary)
        }
        self.boundary = bytes
    }

    public func parse(_ body: [UInt8]) throws(MultipartError) -> [MultipartPart] {
        let dashBoundary = Array("--".utf8) + boundary
        let delimiter = [UInt8.cr, .lf] + dashBoundary
        // The first boundary may start the body or follow a preamble, which is ignored (RFC 2046 §5.1.1).
        var position: Int
        if body.starts(with: dashBoundary) {
            position = dashBoundary.count
        } else {
            guard let found = Self.find(delimiter, in: body, from: 0) else { throw .malformed("no opening boundary") }
            position = found + delimiter.count
        }
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: "--" ends the body; otherwise optional transport padding and CRLF.
            if body[position...].starts(with: Array("--".utf8)) { return parts }
            while position < body.count && (body[position] == .space || body[position] == .tab) { position += 1 }
            guard body[position...].starts(with: [UInt8.cr, .lf]) else {
                throw .malformed("boundary not followed by CRLF")
            }
            position += 2
            guard parts.count < maxParts else { throw .tooManyParts(limit: maxParts) }
            guard let end = Self.find(delimiter, in: body, from: position) else {
                throw .malformed("part not closed by a boundary")
            }
            parts.append(try parsePart(body[position..<end]))
            position = end + delimiter.count
        }
    }

    private func parsePart(_ bytes: ArraySlice<UInt8>) throws(MultipartError) -> MultipartPart {
        let separator: [UInt8] = [.cr, .lf, .cr, .lf]
        let headerEnd: Int
        let contentStart: Int
        if bytes.starts(with: [UInt8.cr, .lf]) {
            headerEnd = bytes.startIndex
            contentStart = bytes.startIndex + 2
        } else {
            guard let found = Self.find(separator, in: bytes, from: bytes.startIndex) else {
                throw .malformed("part headers not terminated")
            }
            headerEnd = found
            contentStart = found + 4
        }
        guard headerEnd - bytes.startIndex <= maxPartHeaderBytes else { throw .malformed("part headers too large") }
        var headers = HTTPFields()
        if headerEnd > bytes.startIndex {
            for line in Self.lines(bytes[bytes.startIndex..<headerEnd]) {
                do {
                    headers.append(try HeaderLine.parse(line))
                } catch {
                    throw .malformed("invalid part header")
                }
            }
        }
        let dispositions = headers[values: .contentDisposition]
        guard dispositions.count == 1, let disposition = dispositions.first,
            let parsed = MediaType("form-data/x" + disposition.drop { $0 != ";" }),
            disposition.prefix(while: { $0 != ";" }).trimmingCharacters(in: " \t").lowercased() == "form-data",
            let name = parsed.parameters["name"]
        else { throw .malformed("part without 'Content-Disposition: form-data; name=...'") }
        return MultipartPart(
            name: name, filename: parsed.parameters["filename"], contentType: headers[.contentType],
            body: Array(bytes[contentStart...]))
    }

    /// Splits on CRLF; a bare CR or LF inside the header block is malformed and surfaces from `HeaderLine.parse`.
    private static func lines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == .cr, index + 1 < bytes.endIndex, bytes[index + 1] == .lf {
                result.append(bytes[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        result.append(bytes[lineStart..<bytes.endIndex])
        return result
    }

    /// The index of the first occurrence of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, haystack.endIndex - from >= needle.count else { return nil }
        var index = from
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        find(needle, in: haystack[...], from: from)
    }
}
