import CNcurses
import Glibc
import TLSTopUI

/// The real terminal, through ncurses: draws a `Screen` with a theme and reads keys. Everything
/// else about the dashboard is in TLSTopUI and works without a terminal.
public final class CursesTerminal {
    public private(set) var colors = 0
    private var attributes: [StyleRole: attr_t] = [:]

    /// Takes over the terminal. Call `restore()` before the process exits, on every path.
    public init(theme: Theme) {
        setlocale(LC_ALL, "")
        initscr()
        cbreak()
        noecho()
        nonl()
        _ = tlstop_keypad()
        curs_set(0)
        tlstop_timeout(100)
        CursesTerminal.installCrashRestore()
        apply(theme)
    }

    public var size: (width: Int, height: Int) { (Int(tlstop_cols()), Int(tlstop_lines())) }

    /// Maps every role to a color pair and attributes, degrading the theme to what the terminal has.
    public func apply(_ requested: Theme) {
        var theme = requested
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(tlstop_colors())
            theme = requested.degraded(toColors: colors)
        } else {
            colors = 0
            theme = requested.degraded(toColors: 1)
        }
        attributes = [:]
        for (index, role) in StyleRole.allCases.enumerated() {
            let style = theme.style(for: role)
            var value = tlstop_a_normal()
            if colors > 0, index + 1 < Int(tlstop_color_pairs()) {
                init_pair(Int16(index + 1), Self.number(style.foreground), Self.number(style.background))
                value |= tlstop_color_pair(Int16(index + 1))
            }
            if style.bold { value |= tlstop_a_bold() }
            if style.underline { value |= tlstop_a_underline() }
            if style.reverse { value |= tlstop_a_reverse() }
            if style.dim { value |= tlstop_a_dim() }
            attributes[role] = value
        }
    }

    static func number(_ color: ThemeColor) -> Int16 {
        switch color {
        case .terminalDefault: -1
        case .indexed(let index): Int16(index)
        }
    }

    /// Draws the whole screen, one run of same-role cells at a time.
    public func draw(_ screen: Screen) {
        _ = tlstop_erase()
        for y in 0..<screen.height {
            var x = 0
            while x < screen.width {
                let role = screen[x, y].role
                var text = ""
                let start = x
                while x < screen.width, screen[x, y].role == role {
                    text += screen[x, y].text
                    x += 1
                }
                _ = tlstop_attrset(attributes[role] ?? tlstop_a_normal())
                text.withCString(encodedAs: UTF32.self) { pointer in
                    pointer.withMemoryRebound(to: wchar_t.self, capacity: text.unicodeScalars.count + 1) {
                        _ = tlstop_mvaddwstr(Int32(y), Int32(start), $0)
                    }
                }
            }
        }
        _ = tlstop_refresh()
    }

    public enum Input: Equatable {
        case key(DashboardController.Key)
        case resize
    }

    /// The next key, or nil after the 100 ms timeout.
    public func readKey() -> Input? {
        var value: wint_t = 0
        let status = tlstop_get_wch(&value)
        if status == ERR { return nil }
        if status == tlstop_key_code_yes() {
            switch Int32(value) {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_RESIZE: return .resize
            default: return nil
            }
        }
        switch value {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    /// Gives the terminal back: cursor, echo, line mode, the main screen.
    public func restore() {
        endwin()
    }

    /// On a crash the terminal must not be left in raw mode: restore it, then let the signal do
    /// what it would have done.
    static func installCrashRestore() {
        for number in [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP] {
            signal(number) { signal in
                endwin()
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
        }
    }
}
