import Foundation

/// Reads `.theme` files. The format (also described at the top of every file in `themes/`):
///
///     # a comment; blank lines are ignored
///     name = "dark"                     optional, and only as the first setting
///     normal = default                  required
///     critical = bright-white on red bold
///     role = foreground [on background] [bold] [underline] [reverse] [dim]
///
/// Roles are the `StyleRole` names (`normal title header border label selected critical warn info ok
/// plaintext dim footer key status`); a role left out looks like `normal`, and a role without
/// `on background` has normal's background (`on default` asks for the terminal's own). Colors are `default` (the
/// terminal's own), `black red green yellow blue magenta cyan white`, `bright-black` … `bright-white`,
/// or an xterm index 0–255. Keywords are case-insensitive; `#` starts a comment outside the quoted name.
///
/// Files are untrusted input: at most 64 KiB and 1024 bytes a line, and errors quote the offending
/// text only after sanitizing and shortening it, so a hostile file cannot drive the terminal.
public enum ThemeParser {
    public static let maximumFileBytes = 64 * 1024
    public static let maximumLineBytes = 1024

    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number; 0 for problems with the file as a whole.
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(line): \(message)" }
    }

    static let syntax = "expected 'role = color [on color] [attributes]'"

    static let colorNames: [String: UInt8] = {
        let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        var table: [String: UInt8] = [:]
        for (index, name) in names.enumerated() {
            table[name] = UInt8(index)
            table["bright-" + name] = UInt8(index + 8)
        }
        return table
    }()

    public static func parse(_ text: String, name: String) throws(ThemeParser.Error) -> Theme {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumFileBytes else {
            throw Error(line: 0, message: "file is larger than 64 KiB")
        }
        var theme = Theme(name: name, styles: [:])
        var sawSetting = false
        var inheritsBackground: [StyleRole] = []
        for (offset, rawLine) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            guard rawLine.count <= maximumLineBytes else {
                throw Error(line: number, message: "line is longer than 1024 bytes")
            }
            let line = String(decoding: rawLine, as: UTF8.self)
            let content = trimmed(stripComment(line))
            if content.isEmpty { continue }
            defer { sawSetting = true }

            guard let equals = content.firstIndex(of: "=") else { throw Error(line: number, message: syntax) }
            let rawKey = trimmed(Substring(content[..<equals]))
            let key = rawKey.lowercased()
            let value = trimmed(Substring(content[content.index(after: equals)...]))
            guard !key.isEmpty, !rawKey.contains(where: \.isWhitespace), !value.isEmpty else {
                throw Error(line: number, message: syntax)
            }

            if key == "name" {
                guard !sawSetting else {
                    throw Error(line: number, message: "'name' must be the first setting in the file")
                }
                theme.name = try parseName(value, line: number)
                continue
            }
            guard let role = StyleRole(themeKey: key) else {
                throw Error(line: number, message: "unknown role '\(quoted(rawKey))'")
            }
            guard theme.styles[role] == nil else {
                throw Error(line: number, message: "role '\(role.themeKey)' defined twice")
            }
            let (style, hasBackground) = try parseStyle(value, role: role.themeKey, line: number)
            theme.styles[role] = style
            if !hasBackground { inheritsBackground.append(role) }
        }
        guard let normal = theme.styles[.normal] else {
            throw Error(line: 0, message: "role 'normal' is required")
        }
        for role in inheritsBackground { theme.styles[role]?.background = normal.background }
        return theme
    }

    /// `"Display name"`: printable, without quotes inside, at most 64 characters.
    private static func parseName(_ value: String, line: Int) throws(ThemeParser.Error) -> String {
        let expected = Error(line: line, message: "expected name = \"theme name\"")
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { throw expected }
        let name = String(value.dropFirst().dropLast())
        guard !name.isEmpty, !name.contains("\"") else { throw expected }
        guard TerminalText.sanitize(name) == name, !name.unicodeScalars.contains(where: { $0.value == 0x7F }) else {
            throw Error(line: line, message: "the theme name contains control characters")
        }
        guard name.count <= 64 else { throw Error(line: line, message: "the theme name is longer than 64 characters") }
        return name
    }

    /// The style, and whether it names a background.
    private static func parseStyle(
        _ value: String, role: String, line: Int
    ) throws(ThemeParser.Error) -> (Style, hasBackground: Bool) {
        // Split on every kind of white space (the trimming above only knows spaces and tabs), so a value
        // of, say, only a vertical tab yields no words rather than an out-of-range index.
        let words = value.split(whereSeparator: \.isWhitespace).map { String($0) }
        guard let first = words.first else { throw Error(line: line, message: syntax) }
        var style = Style()
        style.foreground = try parseColor(first, role: role, line: line)
        var index = 1
        if index < words.count, words[index].lowercased() == "on" {
            guard index + 1 < words.count else {
                throw Error(line: line, message: "expected a color after 'on' for role '\(role)'")
            }
            style.background = try parseColor(words[index + 1], role: role, line: line)
            index += 2
        }
        var seen: Set<String> = []
        for position in index..<words.count {
            let word = words[position]
            let attribute = word.lowercased()
            switch attribute {
            case "bold", "underline", "reverse", "dim":
                guard !seen.contains(attribute) else {
                    throw Error(line: line, message: "attribute '\(attribute)' given twice for role '\(role)'")
                }
                seen.insert(attribute)
            case "on":
                throw Error(line: line, message: "'on color' must come right after the foreground for role '\(role)'")
            default:
                if position == 1, (try? parseColor(word, role: role, line: line)) != nil {
                    throw Error(line: line, message: "expected 'on' between the two colors for role '\(role)'")
                }
                throw Error(line: line, message: "unknown attribute '\(quoted(word))' for role '\(role)'")
            }
        }
        style.bold = seen.contains("bold")
        style.underline = seen.contains("underline")
        style.reverse = seen.contains("reverse")
        style.dim = seen.contains("dim")
        return (style, index > 1)
    }

    private static func parseColor(_ word: String, role: String, line: Int) throws(ThemeParser.Error) -> ThemeColor {
        let lower = word.lowercased()
        if lower == "default" { return .terminalDefault }
        if let index = colorNames[lower] { return .indexed(index) }
        if !word.isEmpty, word.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard word.utf8.count <= 3, let number = Int(word), number <= 255 else {
                throw Error(line: line, message: "color '\(quoted(word))' is out of range 0-255 for role '\(role)'")
            }
            return .indexed(UInt8(number))
        }
        throw Error(line: line, message: "unknown color '\(quoted(word))' for role '\(role)'")
    }

    /// Everything before a `#` that is not inside double quotes.
    private static func stripComment(_ line: String) -> Substring {
        var inQuotes = false
        for index in line.indices {
            switch line[index] {
            case "\"": inQuotes.toggle()
            case "#" where !inQuotes: return line[..<index]
            default: break
            }
        }
        return line[...]
    }

    /// Trims spaces, tabs and a carriage return (files written on Windows).
    private static func trimmed(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
        guard let start = text.firstIndex(where: { !isBlank($0) }), let end = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[start...end])
    }

    /// User text for an error message: control characters made visible, at most `limit` characters.
    static func quoted(_ text: String, limit: Int = 32) -> String {
        let shortened = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return TerminalText.sanitize(shortened)
    }
}

/// Finds a theme by name or path. Names are looked up first among the user's themes in
/// `$XDG_CONFIG_HOME/tlstop/themes/NAME.theme` (default `~/.config/tlstop/themes`), so a user can
/// override a built-in, then in the installed themes folder (`PREFIX/share/tlstop/themes`, where an
/// administrator can add one for every user), then among the built-ins.
public enum ThemeLocator {
    public enum LocateError: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case unknownName(String, available: [String])
        case unreadable(path: String, reason: String)
        case invalid(path: String, ThemeParser.Error)

        public var description: String {
            switch self {
            case .unknownName(_, let available):
                "unknown theme name; available: " + available.joined(separator: ", ")
            case .unreadable(let path, let reason):
                "cannot read \(ThemeParser.quoted(path, limit: 1024)): \(reason)"
            case .invalid(let path, let error):
                "\(ThemeParser.quoted(path, limit: 1024)): \(error)"
            }
        }
    }

    /// - Parameter systemDirectory: the installed themes folder, if any.
    public static func load(_ nameOrPath: String, environment: [String: String], systemDirectory: String? = nil)
        throws(LocateError) -> Theme
    {
        // https://no-color.org: when NO_COLOR is set to a non-empty value, software must not add color,
        // whatever else was configured. The monochrome theme keeps bold, reverse and underline, which
        // are not colors, so critical and warning findings remain distinguishable.
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return BuiltInThemes.monochrome }

        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            return try loadFile(expandingTilde(nameOrPath, environment: environment), name: nameOrPath)
        }
        if isPlainName(nameOrPath) {
            for directory in [userThemeDirectory(environment: environment), systemDirectory].compactMap({ $0 }) {
                let path = directory + "/" + nameOrPath + ".theme"
                if FileManager.default.fileExists(atPath: path) { return try loadFile(path, name: nameOrPath) }
            }
        }
        if let theme = BuiltInThemes.theme(named: nameOrPath) { return theme }
        throw .unknownName(nameOrPath, available: availableNames(environment: environment))
    }

    /// The built-in names, then the user's own themes (sorted, without duplicates).
    public static func availableNames(environment: [String: String]) -> [String] {
        var names = BuiltInThemes.all.map(\.name)
        if let directory = userThemeDirectory(environment: environment),
            let files = try? FileManager.default.contentsOfDirectory(atPath: directory)
        {
            let user = files.filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(".theme".count)) }
                .filter { isPlainName($0) && !names.contains($0) }
            names += Set(user).sorted()
        }
        return names
    }

    /// `$XDG_CONFIG_HOME/tlstop/themes`, or `$HOME/.config/tlstop/themes`. The XDG base directory
    /// specification says relative paths in `XDG_CONFIG_HOME` are invalid and must be ignored.
    public static func userThemeDirectory(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/tlstop/themes" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.config/tlstop/themes" }
        return nil
    }

    /// A name that is safe to put into a file name: letters, digits, `.`, `_`, `-`, not starting with `.`.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.utf8.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "._-".unicodeScalars.contains(scalar))
        }
    }

    private static func expandingTilde(_ path: String, environment: [String: String]) -> String {
        guard path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty else { return path }
        return home + path.dropFirst()
    }

    /// Reads at most 64 KiB + 1 bytes from a regular file (never a FIFO or device that could block or
    /// never end), then parses it.
    private static func loadFile(_ path: String, name: String) throws(LocateError) -> Theme {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: ThemeParser.maximumFileBytes + 1) ?? Data()
        } catch {
            throw .unreadable(path: path, reason: "read failed")
        }
        guard data.count <= ThemeParser.maximumFileBytes else {
            throw .invalid(path: path, ThemeParser.Error(line: 0, message: "file is larger than 64 KiB"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalid(path: path, ThemeParser.Error(line: 0, message: "file is not valid UTF-8"))
        }
        let fileName = (path as NSString).lastPathComponent
        let fallbackName = fileName.hasSuffix(".theme") ? String(fileName.dropLast(".theme".count)) : name
        do throws(ThemeParser.Error) {
            return try ThemeParser.parse(text, name: fallbackName)
        } catch {
            throw .invalid(path: path, error)
        }
    }
}
