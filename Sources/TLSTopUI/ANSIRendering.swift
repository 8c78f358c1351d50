extension Screen {
    /// The screen as text with ANSI SGR sequences for the theme's styles: how it looks on a
    /// 256-color terminal, without one (golden files for themes, and `cat`-able previews).
    public func ansi(theme: Theme) -> String {
        var out = ""
        for y in 0..<height {
            var x = 0
            while x < width {
                let role = self[x, y].role
                var run = ""
                while x < width, self[x, y].role == role {
                    run += self[x, y].text
                    x += 1
                }
                out += Self.sgr(theme.style(for: role)) + run + "\u{1B}[0m"
            }
            out += "\n"
        }
        return out
    }

    static func sgr(_ style: Style) -> String {
        var codes: [String] = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.underline { codes.append("4") }
        if style.reverse { codes.append("7") }
        if case .indexed(let index) = style.foreground { codes.append("38;5;\(index)") }
        if case .indexed(let index) = style.background { codes.append("48;5;\(index)") }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}
