/// Reads a policy file: a small TOML subset (comments, `[tables]`, `key = value` with strings,
/// integers, booleans and arrays of strings) that adjusts a built-in profile.
///
/// ```toml
/// base = "intermediate"            # any built-in profile (Policy.Profile)
/// [thresholds]
/// rsa_min_bits = 3072
/// dh_min_bits = 2048
/// ec_min_bits = 256
/// cert_expiring_days = 21
/// [severity]
/// no-pfs = "critical"
/// not-pq = "ok"                    # ok silences a finding
/// [allow]
/// versions = ["TLSv1.2", "TLSv1.3"]
/// cipher_suites = ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
/// groups = ["X25519MLKEM768", "x25519"]
/// ```
/// Every error names the file, the line and the key, so a typo never silently weakens a policy.
public enum PolicyFile {
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case strings([String])

        var typeName: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .boolean: "a boolean"
            case .strings: "an array of strings"
            }
        }
    }

    /// A policy file of more than this is not a policy file.
    public static let maximumSize = 256 * 1024

    public static func parse(_ text: String) throws(Error) -> Policy {
        guard text.utf8.count <= maximumSize else { throw Error(line: 0, message: "file larger than 256 KiB") }
        let entries = try tokenize(text)
        var base = Policy.intermediate
        if let entry = entries.first(where: { $0.table == "" && $0.key == "base" }) {
            guard case .string(let name) = entry.value, let profile = Policy.Profile.named(name)?.profile else {
                let names = Policy.Profile.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw Error(line: entry.line, message: "key 'base': expected one of \(names)")
            }
            base = Policy.builtIn(profile)
        }
        var policy = base
        policy.name = "\(base.name)+file"
        for entry in entries {
            try apply(entry, to: &policy)
        }
        return policy
    }

    struct Entry {
        var line: Int
        var table: String
        var key: String
        var value: Value
    }

    private static func apply(_ entry: Entry, to policy: inout Policy) throws(Error) {
        func integer(_ range: ClosedRange<Int>) throws(Error) -> Int {
            guard case .integer(let value) = entry.value else {
                throw Error(
                    line: entry.line, message: "key '\(entry.key)': expected an integer, got \(entry.value.typeName)")
            }
            guard range.contains(value) else {
                throw Error(
                    line: entry.line,
                    message: "key '\(entry.key)': \(value) is outside \(range.lowerBound)…\(range.upperBound)")
            }
            return value
        }
        func strings() throws(Error) -> [String] {
            guard case .strings(let values) = entry.value else {
                throw Error(line: entry.line, message: "key '\(entry.key)': expected an array of strings")
            }
            return values
        }
        switch (entry.table, entry.key) {
        case ("", "base"):
            return
        case ("", "name"):
            guard case .string(let name) = entry.value else {
                throw Error(line: entry.line, message: "key 'name': expected a string")
            }
            policy.name = String(name.prefix(64))
        case ("thresholds", "rsa_min_bits"): policy.minimumRSABits = try integer(512...16384)
        case ("thresholds", "dh_min_bits"): policy.minimumDHBits = try integer(512...16384)
        case ("thresholds", "ec_min_bits"): policy.minimumECBits = try integer(160...571)
        case ("thresholds", "cert_expiring_days"): policy.certificateExpiryWarningDays = try integer(0...3650)
        case ("severity", let key):
            let id = FindingID(rawValue: key)
            guard FindingID.all.contains(id) else {
                throw Error(line: entry.line, message: "unknown finding id '\(key)' in [severity]")
            }
            guard case .string(let name) = entry.value, let severity = Severity(name: name) else {
                throw Error(
                    line: entry.line, message: "key '\(key)': expected \"ok\", \"info\", \"warn\" or \"critical\"")
            }
            policy.severities[id] = severity
        case ("allow", "versions"):
            policy.allowedVersions = Set(
                try strings().map { (name) throws(Error) -> ProtocolVersion in
                    guard let version = ProtocolVersion.allKnown.first(where: { $0.name == name }) else {
                        throw Error(line: entry.line, message: "key 'versions': unknown version '\(name)'")
                    }
                    return version
                })
        case ("allow", "cipher_suites"):
            policy.allowedCipherSuites = Set(
                try strings().map { (name) throws(Error) -> CipherSuite in
                    guard let suite = CipherSuite.allKnown.first(where: { $0.name == name }) else {
                        throw Error(line: entry.line, message: "key 'cipher_suites': unknown IANA name '\(name)'")
                    }
                    return suite
                })
        case ("allow", "groups"):
            policy.allowedGroups = Set(
                try strings().map { (name) throws(Error) -> NamedGroup in
                    guard let group = NamedGroup.allKnown.first(where: { $0.name == name }) else {
                        throw Error(line: entry.line, message: "key 'groups': unknown group '\(name)'")
                    }
                    return group
                })
        default:
            let place = entry.table.isEmpty ? "at the top level" : "in [\(entry.table)]"
            throw Error(line: entry.line, message: "unknown key '\(entry.key)' \(place)")
        }
    }

    // MARK: - The TOML subset

    static func tokenize(_ text: String) throws(Error) -> [Entry] {
        let knownTables: Set<String> = ["thresholds", "severity", "allow"]
        var entries: [Entry] = []
        var table = ""
        var seen: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = stripComment(rawLine).trimmingCharacters(in: " \t\r")
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw Error(line: number, message: "malformed table header '\(line.prefix(40))'")
                }
                table = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                guard knownTables.contains(table) else {
                    throw Error(
                        line: number,
                        message: "unknown table [\(table.prefix(40))]; expected [thresholds], [severity] or [allow]")
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw Error(line: number, message: "expected 'key = value'")
            }
            var key = line[..<equals].trimmingCharacters(in: " \t")
            if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw Error(line: number, message: "invalid key '\(key.prefix(40))'")
            }
            guard seen.insert("\(table).\(key)").inserted else {
                throw Error(line: number, message: "key '\(key)' defined twice")
            }
            let valueText = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
            let value = try parseValue(valueText, line: number, key: key)
            entries.append(Entry(line: number, table: table, key: key, value: value))
        }
        return entries
    }

    /// Drops a `#` comment that is not inside a string.
    private static func stripComment(_ line: Substring) -> Substring {
        var inString = false
        for index in line.indices {
            if line[index] == "\"" { inString.toggle() }
            if line[index] == "#", !inString { return line[..<index] }
        }
        return line
    }

    private static func parseValue(_ text: String, line: Int, key: String) throws(Error) -> Value {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if let integer = Int(text.replacingUnderscores()) { return .integer(integer) }
        if text.hasPrefix("\"") { return .string(try parseString(text, line: line, key: key)) }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw Error(line: line, message: "key '\(key)': unterminated array") }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: " \t")
            if inner.isEmpty { return .strings([]) }
            var values: [String] = []
            for part in splitArray(inner) {
                let item = part.trimmingCharacters(in: " \t")
                if item.isEmpty { continue }  // trailing comma
                guard item.hasPrefix("\"") else {
                    throw Error(line: line, message: "key '\(key)': arrays may hold only strings")
                }
                values.append(try parseString(item, line: line, key: key))
                guard values.count <= 1024 else { throw Error(line: line, message: "key '\(key)': array too long") }
            }
            return .strings(values)
        }
        throw Error(line: line, message: "key '\(key)': cannot read value '\(text.prefix(40))'")
    }

    private static func splitArray(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inString = false
        for character in text {
            if character == "\"" { inString.toggle() }
            if character == ",", !inString {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func parseString(_ text: String, line: Int, key: String) throws(Error) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else {
            throw Error(line: line, message: "key '\(key)': unterminated string")
        }
        let inner = text.dropFirst().dropLast()
        guard !inner.contains("\""), !inner.contains("\\") else {
            throw Error(line: line, message: "key '\(key)': escapes and quotes inside strings are not supported")
        }
        return String(inner)
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }

    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view = view.dropFirst() }
        while let last = view.last, characters.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
