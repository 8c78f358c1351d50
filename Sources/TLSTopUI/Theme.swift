/// How each `StyleRole` looks on a terminal: colors and attributes. Themes come from `.theme` files
/// (see `ThemeParser`, `ThemeLocator`, `BuiltInThemes`); the curses backend maps roles through one.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [StyleRole: Style]

    public init(name: String, styles: [StyleRole: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style of `role`; a role the theme leaves out looks like `.normal`, and a theme without
    /// `.normal` (only possible when built in code) gives the terminal's own colors.
    public func style(for role: StyleRole) -> Style {
        styles[role] ?? styles[.normal] ?? Style()
    }

    /// The theme for a terminal with `count` colors (curses `COLORS`).
    ///
    /// - 256 or more: unchanged.
    /// - 16 to 255: indices above 15 become the nearest of the 16 standard and bright colors.
    /// - 8 to 15: every index above 7 becomes the nearest of the 8 standard colors.
    /// - Fewer than 8 (`count <= 1` is a terminal without color): no colors at all, but the attributes
    ///   stay and severity is forced to remain visible: critical is bold and reverse, warn bold,
    ///   plaintext underlined, selected reverse (unless the theme already underlines or reverses it;
    ///   never bold and reverse like critical), and a role drawn on a background other than normal's
    ///   (title and footer bars, the cursor bar) becomes reverse.
    ///
    /// "Nearest" is by distance in RGB using the xterm palette. When a foreground and a background
    /// that differed land on the same color, the foreground becomes black or white, whichever is
    /// farther from the background, so the text stays readable.
    public func degraded(toColors count: Int) -> Theme {
        if count >= 256 { return self }
        guard count >= 8 else { return monochrome() }
        let limit = count >= 16 ? 16 : 8
        var result = self
        for (role, style) in styles {
            var degraded = style
            degraded.background = Self.nearest(style.background, limit: limit)
            degraded.foreground = Self.nearest(style.foreground, limit: limit)
            if style.foreground != style.background, degraded.foreground == degraded.background,
                case .indexed(let background) = degraded.background
            {
                degraded.foreground = .indexed(XtermPalette.contrasting(with: background, limit: limit))
            }
            result.styles[role] = degraded
        }
        return result
    }

    private func monochrome() -> Theme {
        let normalBackground = styles[.normal]?.background ?? .terminalDefault
        var result = Theme(name: name, styles: [:])
        for role in StyleRole.allCases {
            // Roles the theme leaves out get their own entry so the forced attributes below apply.
            guard styles[role] != nil || Self.forcedInMonochrome.contains(role) else { continue }
            let original = style(for: role)
            var style = Style(
                bold: original.bold, underline: original.underline, reverse: original.reverse, dim: original.dim)
            if role != .normal, original.background != .terminalDefault, original.background != normalBackground {
                style.reverse = true
            }
            switch role {
            case .critical:
                style.bold = true
                style.reverse = true
            case .warn:
                style.bold = true
            case .plaintext:
                style.underline = true
            case .selected:
                if !style.reverse && !style.underline { style.reverse = true }
            default:
                break
            }
            result.styles[role] = style
        }
        // A bold reverse cursor bar would look exactly like a critical row.
        if result.styles[.selected] == result.styles[.critical] { result.styles[.selected]?.bold = false }
        return result
    }

    private static let forcedInMonochrome: Set<StyleRole> = [.normal, .critical, .warn, .plaintext, .selected]

    private static func nearest(_ color: ThemeColor, limit: Int) -> ThemeColor {
        guard case .indexed(let index) = color, Int(index) >= limit else { return color }
        return .indexed(XtermPalette.nearest(to: index, limit: limit))
    }
}

public struct Style: Sendable, Equatable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool
    public var underline: Bool
    public var reverse: Bool
    public var dim: Bool

    public init(
        foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
        bold: Bool = false, underline: Bool = false, reverse: Bool = false, dim: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
        self.dim = dim
    }
}

public enum ThemeColor: Sendable, Equatable, Hashable {
    /// The terminal's own foreground or background (curses color -1).
    case terminalDefault
    /// An xterm color: 0–7 standard, 8–15 bright, 16–231 the 6×6×6 cube, 232–255 grays.
    case indexed(UInt8)
}

extension StyleRole {
    /// The role's name in `.theme` files.
    public var themeKey: String {
        switch self {
        case .normal: "normal"
        case .title: "title"
        case .header: "header"
        case .border: "border"
        case .label: "label"
        case .selected: "selected"
        case .critical: "critical"
        case .warn: "warn"
        case .info: "info"
        case .ok: "ok"
        case .plaintext: "plaintext"
        case .dim: "dim"
        case .footer: "footer"
        case .key: "key"
        case .status: "status"
        }
    }

    public init?(themeKey: String) {
        guard let role = StyleRole.allCases.first(where: { $0.themeKey == themeKey }) else { return nil }
        self = role
    }
}

/// The RGB values xterm uses for its 256 colors, to find the nearest color on smaller terminals.
enum XtermPalette {
    static let rgb: [(r: Int, g: Int, b: Int)] = {
        var table: [(r: Int, g: Int, b: Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
            (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
            (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        let levels = [0, 95, 135, 175, 215, 255]
        for r in levels { for g in levels { for b in levels { table.append((r, g, b)) } } }
        for step in 0..<24 { table.append((8 + 10 * step, 8 + 10 * step, 8 + 10 * step)) }
        return table
    }()

    static func distance(_ a: Int, _ b: Int) -> Int {
        let (x, y) = (rgb[a], rgb[b])
        return (x.r - y.r) * (x.r - y.r) + (x.g - y.g) * (x.g - y.g) + (x.b - y.b) * (x.b - y.b)
    }

    /// The index below `limit` closest to `index` (ties go to the lower index).
    static func nearest(to index: UInt8, limit: Int) -> UInt8 {
        var best = 0
        for candidate in 1..<min(max(limit, 1), rgb.count)
        where distance(candidate, Int(index)) < distance(best, Int(index)) {
            best = candidate
        }
        return UInt8(best)
    }

    /// Black or the brightest white below `limit`, whichever is farther from `background`.
    static func contrasting(with background: UInt8, limit: Int) -> UInt8 {
        let white = limit >= 16 ? 15 : 7
        return distance(0, Int(background)) >= distance(white, Int(background)) ? 0 : UInt8(white)
    }
}
