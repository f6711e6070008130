import Foundation

/// The key paths a JSON config file holds, checked against `ConfigKeys.all`.
///
/// swift-configuration answers the keys it is asked for and never lists the others, so a misspelt key in the file
/// would silently leave its setting at the default; this is the one thing the loader reads the file for itself.
enum JSONKeyPaths {
    /// `{"http": {"maxBodyBytes": 1}}` -> `["http.maxBodyBytes": 1]`.
    static func read(_ file: String) throws(ConfigError) -> [String: Any] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw ConfigError(messages: ["\(file): \(error.localizedDescription)"])
        }
        guard let root = object as? [String: Any] else {
            throw ConfigError(messages: ["\(file): the top level must be a JSON object"])
        }
        var paths: [String: Any] = [:]
        func walk(_ object: [String: Any], _ prefix: String) {
            for (name, value) in object {
                if let nested = value as? [String: Any] {
                    walk(nested, prefix + name + ".")
                } else {
                    paths[prefix + name] = value
                }
            }
        }
        walk(root, "")
        return paths
    }

    /// Unknown keys, and JSON true/false where a number belongs (swift-configuration would read `"port": true` as
    /// port 1).
    static func problems(_ paths: [String: Any], source: String) -> [String] {
        paths.keys.sorted().compactMap { path in
            guard let setting = ConfigKeys.all.first(where: { $0.name == path }) else {
                return "\(source): unknown key '\(path)'"
            }
            let numeric = setting.kind == .integer || setting.kind == .number
            return numeric && (paths[path] as? NSNumber)?.isBoolean == true
                ? "\(source): \(mismatch(setting, true))" : nil
        }
    }

    /// Why the file's value for `setting` did not convert. The value is quoted only for numbers (never a secret).
    static func mismatch(_ setting: ConfigSetting, _ value: Any) -> String {
        let path = setting.name
        switch setting.kind {
        case .integer:
            if let number = value as? NSNumber, !number.isBoolean {
                return "'\(path)': expected an integer, got \(number)"
            }
            return "'\(path)' must be a number"
        case .number: return "'\(path)' must be a number"
        case .string: return "'\(path)' must be a string"
        case .choice(let names): return "'\(path)' must be one of \(names.joined(separator: ", "))"
        case .boolean: return "'\(path)' must be true or false"
        case .secretList: return "'\(path)' must be a list of strings"
        }
    }
}

extension NSNumber {
    /// JSONSerialization hands out JSON true/false as NSNumber too; their type encoding is `c` (char), a number's
    /// is not.
    fileprivate var isBoolean: Bool { String(cString: objCType) == "c" }
}
