import TLSTopCore

extension DashboardRenderer {
    static let footerKeys = [
        ("↑↓", "move"), ("Tab", "pane"), ("Enter", "focus"), ("/", "filter"), ("w", "weak only"), ("s", "sort"),
        ("g", "group"), ("p", "pause"), ("e", "export"), ("r", "report"), ("t", "theme"), ("?", "help"),
        ("q", "quit"),
    ]

    /// The bottom line: the `/` prompt while it is open; else what a key just did (until the next
    /// key); else the latest problem (until it is gone); else the keys.
    func drawFooter(_ screen: inout Screen, _ state: DashboardState, _ context: Context, y: Int) {
        screen.fill(y: y, from: 0, to: screen.width, role: .footer)
        if let prompt = context.prompt {
            let x = screen.put(" filter: ", x: 0, y: y, role: .key)
            screen.put(TerminalText.sanitize(prompt) + "▏  (Enter apply, Esc cancel)", x: x, y: y, role: .status)
            return
        }
        if let status = state.status {
            screen.put(" " + TerminalText.sanitize(status), x: 0, y: y, role: .status)
            return
        }
        if let problem = context.problems.latest {
            let count = context.problems.all.count
            let hint = count > 1 ? "  (! all \(count) problems)" : "  (! details)"
            let marker = problem.severity == .critical ? "✖ " : "▲ "
            let text = " " + marker + TerminalText.sanitize(problem.description)
            let room = screen.width - DisplayWidth.of(hint)
            let x = screen.put(
                DisplayWidth.truncate(text, to: max(10, room)), x: 0, y: y,
                role: problem.severity == .critical ? .critical : .warn)
            screen.put(hint, x: x, y: y, role: .footer)
            return
        }
        var x = 1
        for (key, action) in Self.footerKeys {
            x += screen.put(key, x: x, y: y, role: .key)
            x += screen.put(" \(action)  ", x: x, y: y, role: .footer)
        }
    }

    public static let helpLines = [
        "Keys",
        "↑ ↓ j k        move the selection        PgUp PgDn  page",
        "Home End       first / last row          Tab        switch pane",
        "Enter f        focus on the host         Esc        clear filter and focus",
        "/              filter: text, CIDR, port:443, sev:warn, proto:plaintext, proc:nginx, ja4:t13d, dir:in,",
        "               pq:yes, pq:no, pq:missed (client offered post-quantum, server chose classical)",
        "g              group hosts by the local service behind them (live capture)",
        "w              only weak and plaintext   s          cycle the sort key",
        "p              pause the display (capture continues)",
        "e              export what is shown      r          compliance report of what is shown",
        "t              next theme",
        "!              problems with the figures (drops, limits, damage)",
        "?              this help                 q          quit",
    ]

    func drawHelp(_ screen: inout Screen) {
        drawOverlay(&screen, title: "Help", lines: Self.helpLines.enumerated().map { ($1, $0 == 0 ? .label : .normal) })
    }

    /// `!`: every problem, most serious first, each on as many lines as it needs.
    func drawProblems(_ screen: inout Screen, _ problems: ProblemLog) {
        let width = min(screen.width - 4, 100)
        var lines: [(String, StyleRole)] = [("What makes these figures incomplete", .label)]
        if problems.all.isEmpty {
            lines.append(("No problems: every packet was read and every connection kept.", .normal))
        }
        for problem in problems.all {
            let role: StyleRole = problem.severity == .critical ? .critical : .warn
            let marker = problem.severity == .critical ? "✖ " : "▲ "
            for (index, piece) in Self.wrapped(marker + TerminalText.sanitize(problem.description), width: width - 4)
                .enumerated()
            {
                lines.append((index == 0 ? piece : "  " + piece, role))
            }
        }
        lines.append(("! or Esc closes", .footer))
        drawOverlay(&screen, title: "Problems", lines: Array(lines.prefix(max(1, screen.height - 6))), width: width)
    }

    private func drawOverlay(_ screen: inout Screen, title: String, lines: [(String, StyleRole)], width: Int? = nil) {
        let width = width ?? min(screen.width - 4, 76)
        let height = lines.count + 2
        let x = (screen.width - width) / 2
        let y = max(2, (screen.height - height) / 2)
        for row in y..<(y + height) { screen.fill(y: row, from: x, to: x + width, role: .normal) }
        Box.draw(&screen, title: title, x: x, y: y, width: width, height: height, active: true)
        for (offset, line) in lines.enumerated() {
            screen.put(line.0, x: x + 2, y: y + 1 + offset, role: line.1, limit: width - 4)
        }
    }

    /// Words onto lines of at most `width` columns (a longer word is cut).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if DisplayWidth.of(candidate) <= width || current.isEmpty {
                current = DisplayWidth.truncate(candidate, to: width)
            } else {
                lines.append(current)
                current = DisplayWidth.truncate(String(word), to: width)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
