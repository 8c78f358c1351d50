/// Recognizes line-oriented plaintext protocols from their first lines, and the in-band commands
/// that upgrade them to TLS (RFC 3207 SMTP, RFC 2595 IMAP/POP3, RFC 4217 FTP).
enum PlaintextSniffer {
    /// True when the first bytes are printable text, which every line protocol starts with.
    static func looksLikeText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let sample = bytes.prefix(16)
        guard !sample.isEmpty else { return false }
        return sample.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) }
    }

    private static let httpMethods = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "]

    static func observe(line: UnsafeRawBufferPointer, from direction: Direction, facts: inout HandshakeFacts) {
        // Protocol keywords are ASCII; anything else in the line cannot change the verdict.
        let text = String(decoding: line.prefix(128), as: UTF8.self).uppercased()
        let trimmed = text.hasSuffix("\r") ? String(text.dropLast()) : text
        if facts.application == nil {
            facts.application = identify(trimmed, from: direction)
        }
        switch direction {
        case .client:
            if let upgrade = upgradeCommand(trimmed, application: facts.application) {
                facts.startTLSRequested = upgrade
                facts.startTLSRefused = false
            }
        case .server:
            guard facts.startTLSRequested != nil else { return }
            if isRefusal(trimmed) { facts.startTLSRefused = true }
        }
    }

    private static func identify(_ line: String, from direction: Direction) -> String? {
        switch direction {
        case .client:
            if httpMethods.contains(where: line.hasPrefix), line.contains(" HTTP/1.") { return "http" }
            if line.hasPrefix("EHLO ") || line.hasPrefix("HELO ") { return "smtp" }
            if line.hasPrefix("USER ") { return nil }  // FTP or POP3: the server's banner tells
            return nil
        case .server:
            if line.hasPrefix("HTTP/1.") { return "http" }
            if line.hasPrefix("SSH-") { return "ssh" }
            if line.hasPrefix("+OK") { return "pop3" }
            if line.hasPrefix("* OK") || line.hasPrefix("* PREAUTH") { return "imap" }
            if line.hasPrefix("220") {
                if line.contains("FTP") { return "ftp" }
                return "smtp"
            }
            return nil
        }
    }

    private static func upgradeCommand(_ line: String, application: String?) -> String? {
        if line == "STARTTLS" { return application == "imap" ? "imap" : "smtp" }
        if line == "STLS" { return "pop3" }
        if line == "AUTH TLS" || line == "AUTH SSL" || line == "AUTH TLS-C" { return "ftp" }
        // IMAP commands carry a tag: "a001 STARTTLS".
        let words = line.split(separator: " ")
        if words.count == 2, words[1] == "STARTTLS" { return "imap" }
        return nil
    }

    private static func isRefusal(_ line: String) -> Bool {
        if line.hasPrefix("-ERR") { return true }
        let words = line.split(separator: " ")
        if words.count >= 2, words[1] == "NO" || words[1] == "BAD" { return true }
        if let code = line.first, code == "4" || code == "5" { return true }
        return false
    }
}
