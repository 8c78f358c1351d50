/// What a cell means, not how it looks: a theme maps each role to colors and attributes, and the
/// in-memory screen keeps the role so tests can check highlighting without a terminal.
public enum StyleRole: Character, Sendable, CaseIterable {
    case normal = " "
    case title = "T"
    case header = "H"
    case border = "B"
    case label = "L"
    case selected = "S"
    case critical = "C"
    case warn = "W"
    case info = "I"
    case ok = "O"
    case plaintext = "P"
    case dim = "D"
    case footer = "F"
    case key = "K"
    case status = "A"
}
