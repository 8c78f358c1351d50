/// A report as blocks of text, rendered to Markdown or HTML by the same code path, so that the two
/// formats always say the same thing. Cells hold text as it came (names off the wire included):
/// each renderer escapes for its own format.
public struct ReportDocument: Sendable, Equatable {
    public enum Block: Sendable, Equatable {
        case heading(level: Int, String)
        case paragraph(String)
        /// Two columns of label and value, without a header row.
        case facts([(String, String)])
        case table(header: [String], rows: [[String]])

        public static func == (lhs: Block, rhs: Block) -> Bool {
            switch (lhs, rhs) {
            case (.heading(let a, let x), .heading(let b, let y)): a == b && x == y
            case (.paragraph(let x), .paragraph(let y)): x == y
            case (.facts(let x), .facts(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
            case (.table(let h1, let r1), .table(let h2, let r2)): h1 == h2 && r1 == r2
            default: false
            }
        }
    }

    public var title: String
    public var blocks: [Block]

    public init(title: String, blocks: [Block] = []) {
        self.title = title
        self.blocks = blocks
    }

    /// Longest cell kept: a name off the wire can be 64 KiB; a report cell need not be.
    static let maximumCellLength = 512

    /// The cell's text with control characters (C0, C1, DEL) and bidirectional overrides replaced by
    /// U+FFFD and cut at `maximumCellLength` scalars: what both renderers start from.
    static func clean(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maximumCellLength {
                scalars.append("…")
                break
            }
            let value = scalar.value
            let control = value < 0x20 || (0x7F...0x9F).contains(value)
            let bidi = (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            scalars.append(control || bidi ? "\u{FFFD}" : scalar)
        }
        return String(scalars)
    }
}
