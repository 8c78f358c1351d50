/// Markdown (CommonMark with GitHub tables). Every cell is escaped: a server name of `a|b`, `*x*`,
/// `<script>` or `[x](y)` is shown as written, never as a table break, emphasis, HTML or a link.
extension ReportDocument {
    public func markdown() -> String {
        var out = "# \(Self.markdownText(title))\n"
        for block in blocks {
            out += "\n"
            switch block {
            case .heading(let level, let text):
                out += String(repeating: "#", count: min(6, max(2, level))) + " \(Self.markdownText(text))\n"
            case .paragraph(let text):
                out += Self.markdownText(text) + "\n"
            case .facts(let pairs):
                out += "| | |\n| --- | --- |\n"
                for (label, value) in pairs { out += "| \(Self.markdownText(label)) | \(Self.markdownText(value)) |\n" }
            case .table(let header, let rows):
                out += "| " + header.map(Self.markdownText).joined(separator: " | ") + " |\n"
                out += "|" + String(repeating: " --- |", count: header.count) + "\n"
                for row in rows { out += "| " + row.map(Self.markdownText).joined(separator: " | ") + " |\n" }
            }
        }
        return out
    }

    /// Backslash-escapes (CommonMark §2.4) every character that is syntax inside a line: code,
    /// emphasis, links and images, raw HTML, table pipes, strikethrough, and `&` so that no entity is
    /// decoded; and a leading `#`, `+`, `-` or `=` that could start a heading or a list. Parentheses
    /// and dots stay plain: without a `[` they make no link, and dates stay readable.
    static func markdownText(_ text: String) -> String {
        var out = ""
        for character in clean(text) {
            if "\\`*_[]<>|!~&".contains(character) || (out.isEmpty && "#+-=".contains(character)) {
                out.append("\\")
            }
            out.append(character)
        }
        return out
    }
}
