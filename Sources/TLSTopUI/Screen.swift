/// A grid of cells with a style role each: what the dashboard draws, independent of any terminal.
/// The curses backend copies it to the terminal; tests read it as text and roles.
public struct Screen: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        /// The character in this cell; empty for the second half of a wide character.
        public var text: String
        public var role: StyleRole
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(text: " ", role: .normal), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return Cell(text: " ", role: .normal) }
        return cells[y * width + x]
    }

    /// Writes `text` at (x, y), clipped to `limit` columns (and the screen); returns the columns used.
    ///
    /// Callers escape network text with `TerminalText.sanitize` so that it reads well; this is the
    /// boundary that guarantees it: a control character or bidirectional override that got here
    /// anyway becomes U+FFFD, so no cell can carry an escape sequence to the terminal.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let available = min(limit ?? Int.max, width - max(0, x))
        let clipped = DisplayWidth.truncate(text, to: available)
        var column = x
        for character in clipped {
            let span = DisplayWidth.of(character)
            guard span > 0 else { continue }
            if column >= 0, column + span <= width {
                let shown = TerminalText.isSafe(character) ? String(character) : "\u{FFFD}"
                cells[y * width + column] = Cell(text: shown, role: role)
                if span == 2 { cells[y * width + column + 1] = Cell(text: "", role: role) }
            }
            column += span
        }
        return column - x
    }

    /// Fills a row span with one role (backgrounds, selection bars).
    public mutating func fill(y: Int, from x: Int, to end: Int, role: StyleRole, text: String = " ") {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, end) { cells[y * width + column] = Cell(text: text, role: role) }
    }

    /// Recolors a span without changing its characters.
    public mutating func recolor(y: Int, from x: Int, to end: Int, role: StyleRole) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, end) { cells[y * width + column].role = role }
    }

    /// The screen as lines of text (trailing spaces kept, so columns line up in golden files).
    public var text: String {
        (0..<height).map { y in (0..<width).map { self[$0, y].text }.joined() }.joined(separator: "\n") + "\n"
    }

    /// One line of role letters per row, aligned with `text` (wide characters take two letters).
    public var roles: String {
        (0..<height).map { y in String((0..<width).map { self[$0, y].role.rawValue }) }.joined(separator: "\n") + "\n"
    }
}
