import Foundation
import Testing

@testable import TLSTopUI

/// The theme files, their embedded copies, the parser, color degradation and theme lookup.
@Suite struct ThemeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let themesDirectory = root.appendingPathComponent("themes")
    static let builtInSource = root.appendingPathComponent("Sources/TLSTopUI/BuiltInThemes.swift")
    static let names = ["dark", "light", "high-contrast", "colorblind", "monochrome"]
    /// Roles a built-in theme deliberately leaves to `normal`. None so far: every theme sets every role.
    static let documentedOmissions: [String: Set<StyleRole>] = [:]

    static func parseError(_ text: String) -> ThemeParser.Error? {
        do throws(ThemeParser.Error) {
            _ = try ThemeParser.parse(text, name: "test")
            return nil
        } catch {
            return error
        }
    }

    static func locate(_ nameOrPath: String, _ environment: [String: String]) -> Result<Theme, ThemeLocator.LocateError>
    {
        do throws(ThemeLocator.LocateError) {
            return .success(try ThemeLocator.load(nameOrPath, environment: environment))
        } catch {
            return .failure(error)
        }
    }

    static func builtIn(_ name: String) throws -> Theme {
        try #require(BuiltInThemes.theme(named: name), "built-in theme \(name)")
    }

    static func colors(_ theme: Theme) -> [ThemeColor] {
        theme.styles.values.flatMap { [$0.foreground, $0.background] }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: - Embedded copies

    /// `TLSTOP_UPDATE_THEMES=1` rewrites the generated part of BuiltInThemes.swift from themes/*.theme.
    @Test func embeddedTextsAreByteIdenticalToFiles() throws {
        if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_THEMES"] != nil { try Self.regenerateBuiltIns() }
        #expect(BuiltInThemes.all.map(\.name) == Self.names)
        for (name, text) in BuiltInThemes.all {
            let file = try Data(contentsOf: Self.themesDirectory.appendingPathComponent(name + ".theme"))
            #expect(
                Data(text.utf8) == file,
                "\(name): embedded text differs from themes/\(name).theme; run TLSTOP_UPDATE_THEMES=1 swift test --filter ThemeTests"
            )
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesDirectory.path)
            .filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(".theme".count)) }
        #expect(Set(files) == Set(Self.names), "every file in themes/ is embedded, and only those")
    }

    static let marker = "// MARK: - Generated from themes/*.theme"

    static func regenerateBuiltIns() throws {
        let source = try String(contentsOf: builtInSource, encoding: .utf8)
        let head = try #require(source.range(of: marker)).lowerBound
        var out = String(source[..<head])
        out += marker + " by `TLSTOP_UPDATE_THEMES=1 swift test --filter ThemeTests`; do not edit.\n\n"
        out += "extension BuiltInThemes {\n"
        out += try names.map { name in
            let text = try String(contentsOf: themesDirectory.appendingPathComponent(name + ".theme"), encoding: .utf8)
            let parts = name.split(separator: "-")
            let identifier = parts[0] + parts.dropFirst().map(\.capitalized).joined() + "Text"
            // Indented the way `swift format` indents it, so `make format` leaves the file alone; the
            // indentation of the closing delimiter is not part of the string.
            let body = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "\n" : "        \($0)\n" }.joined()
            return "    static let \(identifier) = #\"\"\"\n\(body)        \"\"\"#\n"
        }.joined(separator: "\n")
        out += "}\n"
        try out.write(to: builtInSource, atomically: true, encoding: .utf8)
    }

    // MARK: - Built-in themes

    @Test(arguments: names) func builtInParsesAndSetsEveryRole(name: String) throws {
        let text = try #require(BuiltInThemes.all.first { $0.name == name }?.text)
        let theme = try ThemeParser.parse(text, name: "ignored")
        #expect(theme.name == name, "the file's name line matches its built-in name")
        #expect(BuiltInThemes.theme(named: name) == theme)
        #expect(BuiltInThemes.theme(named: name.uppercased()) == theme)
        let omitted = Set(StyleRole.allCases.filter { theme.styles[$0] == nil })
        #expect(omitted == Self.documentedOmissions[name] ?? [], "\(name) leaves out \(omitted)")
    }

    @Test func severitiesLookDifferentInEveryTheme() throws {
        for name in Self.names {
            let theme = try Self.builtIn(name)
            for count in [256, 16, 8, 1] {
                let degraded = theme.degraded(toColors: count)
                let severities: [StyleRole] = [.critical, .warn, .ok, .plaintext, .selected]
                for (i, a) in severities.enumerated() {
                    for b in severities.dropFirst(i + 1) {
                        #expect(degraded.style(for: a) != degraded.style(for: b), "\(name)@\(count): \(a) == \(b)")
                    }
                }
                #expect(degraded.style(for: .critical) != degraded.style(for: .normal), "\(name)@\(count)")
            }
        }
    }

    @Test func monochromeHasNoColorsButKeepsSeverity() throws {
        let theme = try Self.builtIn("monochrome")
        #expect(Self.colors(theme).allSatisfy { $0 == .terminalDefault })
        let critical = theme.style(for: .critical)
        #expect(critical.bold && critical.reverse)
        #expect(theme.style(for: .warn).bold)
        #expect(theme.style(for: .plaintext).underline)
        #expect(theme.style(for: .selected).reverse)
        #expect(theme.degraded(toColors: 1) == theme, "the file already is what degradation to no colors gives")
        #expect(BuiltInThemes.monochrome == theme)
    }

    // MARK: - Colorblind safety

    /// Indices whose xterm color is pure red (no green, no blue) or pure green: the hues that look alike
    /// with protanopia and deuteranopia.
    static let redIndices: Set<UInt8> = [1, 9, 52, 88, 124, 160, 196]
    static let greenIndices: Set<UInt8> = [2, 10, 22, 28, 34, 40, 46]

    /// A color where green clearly dominates red and blue.
    static func isGreenish(_ color: ThemeColor) -> Bool {
        guard case .indexed(let index) = color else { return false }
        let rgb = XtermPalette.rgb[Int(index)]
        return rgb.g > rgb.r + 40 && rgb.g > rgb.b + 40
    }

    static func isReddish(_ color: ThemeColor) -> Bool {
        guard case .indexed(let index) = color else { return false }
        let rgb = XtermPalette.rgb[Int(index)]
        return rgb.r > rgb.g + 40 && rgb.r > rgb.b + 40
    }

    @Test func redAndGreenSetsAreWhatTheySay() {
        for index in Self.redIndices {
            let rgb = XtermPalette.rgb[Int(index)]
            #expect(rgb.r > 0 && rgb.g == 0 && rgb.b == 0, "\(index)")
        }
        for index in Self.greenIndices {
            let rgb = XtermPalette.rgb[Int(index)]
            #expect(rgb.g > 0 && rgb.r == 0 && rgb.b == 0, "\(index)")
        }
    }

    @Test func colorblindNeverSeparatesCriticalAndOkByRedGreenAlone() throws {
        let theme = try Self.builtIn("colorblind")
        for role in [StyleRole.critical, .ok] {
            guard case .indexed(let index) = theme.style(for: role).foreground else {
                Issue.record("\(role) has no color")
                continue
            }
            #expect(!Self.redIndices.contains(index) && !Self.greenIndices.contains(index), "\(role) uses \(index)")
        }
        // The Okabe–Ito colors the theme promises.
        #expect(theme.style(for: .critical).foreground == .indexed(202))
        #expect(theme.style(for: .warn).foreground == .indexed(214))
        #expect(theme.style(for: .info).foreground == .indexed(33))
        #expect(theme.style(for: .ok).foreground == .indexed(75))
        #expect(theme.style(for: .plaintext).foreground == .indexed(169))
        // Critical also differs by an attribute, not by hue only.
        let critical = theme.style(for: .critical)
        let ok = theme.style(for: .ok)
        #expect(critical.bold != ok.bold || critical.reverse != ok.reverse || critical.underline != ok.underline)
        // No green at all, also after degradation, so nothing can be told apart by red against green.
        for count in [256, 16, 8] {
            let degraded = theme.degraded(toColors: count)
            for role in StyleRole.allCases {
                let style = degraded.style(for: role)
                #expect(!Self.isGreenish(style.foreground) && !Self.isGreenish(style.background), "\(role)@\(count)")
            }
            let pair = [degraded.style(for: .critical).foreground, degraded.style(for: .ok).foreground]
            #expect(!(pair.contains(where: Self.isReddish) && pair.contains(where: Self.isGreenish)), "@\(count)")
        }
    }

    // MARK: - Degradation

    @Test func degradedUsesOnlyAllowedIndices() throws {
        for name in Self.names {
            let theme = try Self.builtIn(name)
            #expect(theme.degraded(toColors: 256) == theme)
            #expect(theme.degraded(toColors: 1 << 24) == theme)
            for (count, limit) in [(16, 16), (88, 16), (8, 8), (15, 8)] {
                for color in Self.colors(theme.degraded(toColors: count)) {
                    if case .indexed(let index) = color { #expect(Int(index) < limit, "\(name)@\(count): \(index)") }
                }
            }
            for count in [1, 0, -5, 2, 7] {
                let monochrome = theme.degraded(toColors: count)
                #expect(Self.colors(monochrome).allSatisfy { $0 == .terminalDefault }, "\(name)@\(count)")
                let critical = monochrome.style(for: .critical)
                #expect(critical.bold && critical.reverse, "\(name)@\(count)")
                #expect(monochrome.style(for: .warn).bold, "\(name)@\(count)")
                #expect(monochrome.style(for: .plaintext).underline, "\(name)@\(count)")
                #expect(monochrome.style(for: .selected).reverse, "\(name)@\(count)")
                #expect(monochrome.name == theme.name)
            }
        }
    }

    @Test func degradedPicksTheNearestXtermColor() {
        let cases: [(index: UInt8, count: Int, expected: UInt8)] = [
            (196, 16, 9), (196, 8, 1), (46, 16, 10), (46, 8, 2), (214, 16, 3), (214, 8, 3), (21, 16, 4),
            (231, 16, 15), (231, 8, 7), (16, 16, 0), (244, 16, 8), (232, 8, 0), (9, 8, 1), (12, 8, 4), (13, 8, 5),
            (5, 8, 5), (15, 16, 15), (202, 16, 9), (75, 16, 12),
        ]
        for (index, count, expected) in cases {
            let theme = Theme(name: "t", styles: [.normal: Style(foreground: .indexed(index))])
            #expect(
                theme.degraded(toColors: count).style(for: .normal).foreground == .indexed(expected),
                "\(index) with \(count) colors")
        }
        let table = XtermPalette.rgb
        #expect(table.count == 256)
        #expect(table[196] == (255, 0, 0) && table[244] == (128, 128, 128) && table[12] == (92, 92, 255))
    }

    @Test func degradedKeepsTextReadableWhenColorsCollide() {
        // Light grey on white: both become white on 8 colors; the text turns black instead.
        let theme = Theme(
            name: "t",
            styles: [
                .normal: Style(foreground: .indexed(250), background: .indexed(255)),
                .title: Style(foreground: .indexed(203), background: .indexed(196), bold: true),
                .info: Style(foreground: .indexed(3), background: .indexed(3)),
            ])
        let eight = theme.degraded(toColors: 8)
        #expect(eight.style(for: .normal) == Style(foreground: .indexed(0), background: .indexed(7)))
        // Light red on red: white on red.
        #expect(eight.style(for: .title) == Style(foreground: .indexed(7), background: .indexed(1), bold: true))
        let sixteen = theme.degraded(toColors: 16)
        #expect(sixteen.style(for: .title) == Style(foreground: .indexed(15), background: .indexed(9), bold: true))
        // The same color chosen on purpose stays.
        #expect(eight.style(for: .info) == Style(foreground: .indexed(3), background: .indexed(3)))
    }

    @Test func monochromeTurnsBackgroundBarsIntoReverse() throws {
        let dark = try Self.builtIn("dark").degraded(toColors: 1)
        #expect(dark.style(for: .title) == Style(bold: true, reverse: true))
        #expect(dark.style(for: .footer).reverse)
        #expect(dark.style(for: .selected).reverse)
        #expect(!dark.style(for: .normal).reverse)
        #expect(!dark.style(for: .ok).reverse)
        // Roles sharing the normal background stay plain.
        let contrast = try Self.builtIn("high-contrast").degraded(toColors: 1)
        #expect(!contrast.style(for: .normal).reverse && !contrast.style(for: .ok).reverse)
        #expect(contrast.style(for: .title).reverse)
    }

    @Test func styleFallsBackToNormalThenToDefaults() {
        let normal = Style(foreground: .indexed(7), bold: true)
        let theme = Theme(name: "t", styles: [.normal: normal, .warn: Style(foreground: .indexed(3))])
        #expect(theme.style(for: .warn) == Style(foreground: .indexed(3)))
        #expect(theme.style(for: .key) == normal)
        #expect(Theme(name: "empty", styles: [:]).style(for: .critical) == Style())
        let monochrome = Theme(name: "empty", styles: [:]).degraded(toColors: 1)
        #expect(monochrome.style(for: .critical) == Style(bold: true, reverse: true))
    }

    // MARK: - Parser

    @Test func parsesTheWholeFormat() throws {
        let text = """
            # comment
               \t
            NAME = "My # theme"   # trailing comment
            normal = default
            Critical = Bright-White on RED bold underline reverse dim
            warn=214 on 0
            ok = green # green
            \tinfo\t=\t007\t
            """
        let theme = try ThemeParser.parse(text, name: "file")
        #expect(theme.name == "My # theme")
        #expect(theme.styles.count == 5)
        #expect(theme.style(for: .normal) == Style())
        #expect(
            theme.style(for: .critical)
                == Style(
                    foreground: .indexed(15), background: .indexed(1), bold: true, underline: true, reverse: true,
                    dim: true))
        #expect(theme.style(for: .warn) == Style(foreground: .indexed(214), background: .indexed(0)))
        #expect(theme.style(for: .ok) == Style(foreground: .indexed(2)))
        #expect(theme.style(for: .info) == Style(foreground: .indexed(7)))
        // Without a name line the given name is used; Windows line ends are fine.
        let crlf = try ThemeParser.parse("# x\r\nnormal = red\r\nwarn = blue bold\r\n", name: "given")
        #expect(crlf.name == "given")
        #expect(crlf.style(for: .warn) == Style(foreground: .indexed(4), bold: true))
        // Every color name.
        for (offset, color) in ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"].enumerated() {
            let plain = try ThemeParser.parse("normal = \(color) on bright-\(color)", name: "t")
            #expect(
                plain.style(for: .normal)
                    == Style(foreground: .indexed(UInt8(offset)), background: .indexed(UInt8(offset + 8))))
        }
    }

    @Test func rolesWithoutBackgroundTakeNormals() throws {
        let theme = try ThemeParser.parse(
            "warn = yellow bold\nok = green on default\nnormal = white on blue\n", name: "t")
        #expect(theme.style(for: .warn) == Style(foreground: .indexed(3), background: .indexed(4), bold: true))
        #expect(theme.style(for: .ok) == Style(foreground: .indexed(2), background: .terminalDefault))
        let contrast = try Self.builtIn("high-contrast")
        #expect(StyleRole.allCases.filter { contrast.style(for: $0).background == .terminalDefault }.isEmpty)
    }

    static let errorCases: [(text: String, line: Int, message: String)] = [
        (
            "# comment\n\nname = \"x\"\nnormal = default\n\n# more\nwarn = purpel\n", 7,
            "unknown color 'purpel' for role 'warn'"
        ),
        ("normal = default\n# typo below\ncritcal = red bold\n", 3, "unknown role 'critcal'"),
        ("normal = default\n\n\n\n\n\n\n\ncritical red\n", 9, "expected 'role = color [on color] [attributes]'"),
        ("normal = default\nwarn = yellow\nok = green\nwarn = red\n", 4, "role 'warn' defined twice"),
        ("normal = default\nWarn = yellow\nwarn = red\n", 3, "role 'warn' defined twice"),
        ("# only a comment\nwarn = yellow\n", 0, "role 'normal' is required"),
        ("", 0, "role 'normal' is required"),
        ("normal = default\nwarn = 256\n", 2, "color '256' is out of range 0-255 for role 'warn'"),
        (
            "normal = default\nwarn = 1000000000000000000000\n", 2,
            "color '1000000000000000000000' is out of range 0-255 for role 'warn'"
        ),
        ("normal = default\nwarn = -1\n", 2, "unknown color '-1' for role 'warn'"),
        ("normal = default\nwarn = yellow on\n", 2, "expected a color after 'on' for role 'warn'"),
        ("normal = default\nwarn = yellow on purpel\n", 2, "unknown color 'purpel' for role 'warn'"),
        ("normal = default\nwarn = yellow blink\n", 2, "unknown attribute 'blink' for role 'warn'"),
        ("normal = default\nwarn = yellow blue\n", 2, "expected 'on' between the two colors for role 'warn'"),
        (
            "normal = default\nwarn = yellow bold on blue\n", 2,
            "'on color' must come right after the foreground for role 'warn'"
        ),
        ("normal = default\nwarn = yellow bold bold\n", 2, "attribute 'bold' given twice for role 'warn'"),
        ("normal = default\nwarn =\n", 2, "expected 'role = color [on color] [attributes]'"),
        ("normal = default\n= red\n", 2, "expected 'role = color [on color] [attributes]'"),
        ("normal = default\nwarn = \u{0B}\u{A0}\n", 2, "expected 'role = color [on color] [attributes]'"),
        ("normal = default\nbright warn = red\n", 2, "expected 'role = color [on color] [attributes]'"),
        ("normal = default\nname = \"late\"\n", 2, "'name' must be the first setting in the file"),
        ("name = dark\nnormal = default\n", 1, "expected name = \"theme name\""),
        ("name = \"\"\nnormal = default\n", 1, "expected name = \"theme name\""),
        ("name = \"a\u{1B}[2Jb\"\nnormal = default\n", 1, "the theme name contains control characters"),
        (
            "name = \"\(String(repeating: "n", count: 65))\"\nnormal = default\n", 1,
            "the theme name is longer than 64 characters"
        ),
        ("normal = default\n\u{1B}[31m = red\n", 2, "unknown role '\\x1b[31m'"),
        (
            "normal = default\nwarn = \(String(repeating: "x", count: 40))\n", 2,
            "unknown color '\(String(repeating: "x", count: 32))…' for role 'warn'"
        ),
        ("normal = default\n# \(String(repeating: "x", count: 1030))\n", 2, "line is longer than 1024 bytes"),
        (String(repeating: "#\n", count: 40_000) + "normal = default\n", 0, "file is larger than 64 KiB"),
    ]

    @Test(arguments: errorCases.indices) func badFilesReportLineAndMessage(index: Int) throws {
        let (text, line, message) = Self.errorCases[index]
        let error = try #require(Self.parseError(text), "case \(index) parsed")
        #expect(error == ThemeParser.Error(line: line, message: message), "case \(index)")
        #expect(error.description == "line \(line): \(message)")
    }

    @Test func limitsAreInclusive() throws {
        let longest = "normal = default #" + String(repeating: "x", count: 1024 - 18)
        #expect(longest.utf8.count == 1024)
        #expect(Self.parseError(longest) == nil)
        let largest = String(repeating: "#\n", count: 32759) + "normal = default\n#"
        #expect(largest.utf8.count == 64 * 1024)
        #expect(Self.parseError(largest) == nil)
    }

    /// Random input never traps: random bytes, random keyword soup, and mutated built-in files.
    @Test func randomInputNeverTraps() {
        var random = ThemeFuzzRandom(seed: 0x7154_0070)
        let words = [
            "normal", "warn", "critical", "name", "=", "on", "bold", "dim", "reverse", "underline", "red", "bright-",
            "default", "255", "256", "-", "#", "\"", " ", "\t", "\n", "\r\n", "\r", "é", "🙂", "\u{1B}", "\u{0}", "0",
            "ok", "plaintext", "on on", "==", "999999999999999999999", "\u{202E}", "\u{0B}", "\u{A0}", "\u{2028}",
            "\u{301}",
        ]
        var parsed = 0
        for round in 0..<500 {
            var text: String
            switch round % 3 {
            case 0:
                let bytes = (0..<Int(random.next() % 2048)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                text = String(decoding: bytes, as: UTF8.self)
            case 1:
                text = (0..<Int(random.next() % 300)).map { _ in words[Int(random.next() % UInt64(words.count))] }
                    .joined()
                if random.next() % 2 == 0 { text = "normal = default\n" + text }
            default:
                var bytes = Array(BuiltInThemes.all[Int(random.next() % 5)].text.utf8)
                for _ in 0..<(1 + random.next() % 8) where !bytes.isEmpty {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
            do throws(ThemeParser.Error) {
                let theme = try ThemeParser.parse(text, name: "fuzz")
                parsed += 1
                #expect(theme.styles[.normal] != nil)
                for count in [256, 16, 8, 1] { _ = theme.degraded(toColors: count) }
            } catch {
                #expect((0...lines).contains(error.line), "round \(round): line \(error.line) of \(lines)")
                #expect(!error.message.isEmpty)
                #expect(TerminalText.sanitize(error.message) == error.message, "round \(round): \(error.message)")
            }
        }
        #expect(parsed > 0, "some mutated files still parse")
    }

    // MARK: - Locator

    @Test func noColorGivesMonochrome() throws {
        let monochrome = try Self.builtIn("monochrome")
        for request in ["dark", "colorblind", "no-such-theme", "/no/such/file.theme"] {
            #expect((try? Self.locate(request, ["NO_COLOR": "1"]).get()) == monochrome, "\(request)")
        }
        #expect((try? Self.locate("dark", ["NO_COLOR": ""]).get()) == (try Self.builtIn("dark")))
        #expect((try? Self.locate("light", [:]).get()) == (try Self.builtIn("light")))
    }

    @Test func unknownNameListsTheAvailableThemes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["XDG_CONFIG_HOME": directory.path]
        guard case .failure(let error) = Self.locate("purple", environment) else {
            Issue.record("unknown name loaded")
            return
        }
        #expect(error == .unknownName("purple", available: Self.names))
        #expect(
            error.description == "unknown theme name; available: dark, light, high-contrast, colorblind, monochrome")
        for name in Self.names { #expect(error.description.contains(name)) }
        // Names that could escape the theme directory are never looked up as files.
        for name in ["..", ".hidden", "a\u{1B}b", ""] {
            guard case .failure(.unknownName) = Self.locate(name, environment) else {
                Issue.record("\(name) did not fail as unknown")
                continue
            }
        }
    }

    @Test func userThemesComeFromXDGConfigHome() throws {
        let config = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: config) }
        let themes = config.appendingPathComponent("tlstop/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        try "normal = red\nwarn = blue bold\n".write(
            to: themes.appendingPathComponent("mine.theme"), atomically: true, encoding: .utf8)
        try "name = \"my dark\"\nnormal = green\n".write(
            to: themes.appendingPathComponent("dark.theme"), atomically: true, encoding: .utf8)
        try "normal = default\nwarn = purpel\n".write(
            to: themes.appendingPathComponent("broken.theme"), atomically: true, encoding: .utf8)
        let environment = ["XDG_CONFIG_HOME": config.path, "HOME": "/nonexistent"]

        let mine = try Self.locate("mine", environment).get()
        #expect(mine.name == "mine")
        #expect(mine.style(for: .warn) == Style(foreground: .indexed(4), bold: true))
        // A user file overrides the built-in of the same name.
        #expect(try Self.locate("dark", environment).get().name == "my dark")
        // A broken user file is reported with its path and line, not silently replaced.
        let brokenPath = themes.appendingPathComponent("broken.theme").path
        guard case .failure(let error) = Self.locate("broken", environment) else {
            Issue.record("broken theme loaded")
            return
        }
        #expect(
            error
                == .invalid(
                    path: brokenPath, ThemeParser.Error(line: 2, message: "unknown color 'purpel' for role 'warn'")))
        #expect(error.description == "\(brokenPath): line 2: unknown color 'purpel' for role 'warn'")
        // User themes are listed after the built-ins.
        guard case .failure(.unknownName(_, let available)) = Self.locate("nope", environment) else {
            Issue.record("unknown name loaded")
            return
        }
        #expect(available == Self.names + ["broken", "mine"])
        // A path is read directly.
        #expect(try Self.locate(themes.appendingPathComponent("mine.theme").path, [:]).get() == mine)

        // Without XDG_CONFIG_HOME (or with a relative one, which the spec says to ignore): ~/.config.
        let home = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let homeThemes = home.appendingPathComponent(".config/tlstop/themes")
        try FileManager.default.createDirectory(at: homeThemes, withIntermediateDirectories: true)
        try "normal = cyan\n".write(
            to: homeThemes.appendingPathComponent("home.theme"), atomically: true, encoding: .utf8)
        for environment in [["HOME": home.path], ["HOME": home.path, "XDG_CONFIG_HOME": "relative/dir"]] {
            #expect(try Self.locate("home", environment).get().style(for: .normal).foreground == .indexed(6))
        }
        // `~/` in a path is the home directory.
        #expect(try Self.locate("~/.config/tlstop/themes/home.theme", ["HOME": home.path]).get().name == "home")
        // Built-ins still work without any configuration directory.
        #expect(try Self.locate("monochrome", [:]).get() == (try Self.builtIn("monochrome")))
    }

    @Test func pathsThatCannotBeReadGiveClearErrors() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.theme").path
        #expect(Self.locate(missing, [:]).error == .unreadable(path: missing, reason: "no such file"))
        #expect(
            Self.locate(directory.path + "/", [:]).error
                == .unreadable(path: directory.path + "/", reason: "not a regular file"))
        #expect(Self.locate("/dev/null", [:]).error == .unreadable(path: "/dev/null", reason: "not a regular file"))

        let large = directory.appendingPathComponent("large.theme")
        try Data(repeating: 0x23, count: 70_000).write(to: large)
        #expect(
            Self.locate(large.path, [:]).error
                == .invalid(path: large.path, .init(line: 0, message: "file is larger than 64 KiB")))

        let binary = directory.appendingPathComponent("binary.theme")
        try Data([0x6E, 0xFF, 0xFE, 0x0A]).write(to: binary)
        #expect(
            Self.locate(binary.path, [:]).error
                == .invalid(path: binary.path, .init(line: 0, message: "file is not valid UTF-8")))
    }
}

extension Result {
    fileprivate var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// A small deterministic generator so the random-input test is reproducible.
private struct ThemeFuzzRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
