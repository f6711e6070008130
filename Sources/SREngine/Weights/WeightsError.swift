/// Why a weight file was rejected. Every case names the file part at fault so a bad export is easy to locate.
public enum WeightsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case truncated(String)
    case badHeader(String)
    case badMetadata(key: String, reason: String)
    case missingTensor(String)
    case unexpectedTensor(String)
    case wrongDType(tensor: String, expected: String, found: String)
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    case badTensorData(tensor: String, reason: String)
    /// Any of the above, in a file: every error from a file names it.
    indirect case inFile(path: String, WeightsError)

    /// This error, naming `path` (unless it already names a file).
    func inFile(_ path: String) -> WeightsError {
        switch self {
        case .unreadable, .inFile: self
        default: .inFile(path: path, self)
        }
    }

    /// The message without the file's path, for a client that names the file itself (the folder is the server's
    /// business): what `inFile` wraps, and an unreadable file's reason.
    public var reasonWithoutPath: String {
        switch self {
        case .unreadable(_, let reason): "cannot read \(reason)"
        case .inFile(_, let error): error.reasonWithoutPath
        default: description
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read weight file \(path): \(reason)"
        case .truncated(let what): return "truncated weight file: \(what)"
        case .badHeader(let what): return "malformed safetensors header: \(what)"
        case .badMetadata(let key, let reason): return "bad metadata '\(key)': \(reason)"
        case .missingTensor(let name): return "missing tensor '\(name)'"
        case .unexpectedTensor(let name): return "unexpected tensor '\(name)'"
        case .wrongDType(let name, let expected, let found):
            return "tensor '\(name)' has dtype \(found), expected \(expected)"
        case .wrongShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        case .badTensorData(let name, let reason): return "tensor '\(name)': \(reason)"
        case .inFile(let path, let error): return "weight file \(path): \(error)"
        }
    }
}
