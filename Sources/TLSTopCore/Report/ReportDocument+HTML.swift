/// One self-contained HTML page: no script, no external resource, a Content-Security-Policy that
/// forbids both, and every text escaped, so a hostile server name is shown and never run.
extension ReportDocument {
    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>\(Self.htmlText(title))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #111; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            th, td { border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
            th { background: #e8e8e8; }
            td { overflow-wrap: break-word; }
            </style>
            </head>
            <body>
            <h1>\(Self.htmlText(title))</h1>

            """
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                let tag = "h\(min(6, max(2, level)))"
                out += "<\(tag)>\(Self.htmlText(text))</\(tag)>\n"
            case .paragraph(let text):
                out += "<p>\(Self.htmlText(text))</p>\n"
            case .facts(let pairs):
                out += "<table>\n"
                for (label, value) in pairs {
                    out += "<tr><th>\(Self.htmlText(label))</th><td>\(Self.htmlText(value))</td></tr>\n"
                }
                out += "</table>\n"
            case .table(let header, let rows):
                out += "<table>\n<tr>" + header.map { "<th>\(Self.htmlText($0))</th>" }.joined() + "</tr>\n"
                for row in rows { out += "<tr>" + row.map { "<td>\(Self.htmlText($0))</td>" }.joined() + "</tr>\n" }
                out += "</table>\n"
            }
        }
        return out + "</body>\n</html>\n"
    }

    static func htmlText(_ text: String) -> String {
        var out = ""
        for character in clean(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
