/// Reads line-oriented clear-text protocols: identifies them from their first lines, follows the
/// in-band upgrade to TLS (RFC 3207 SMTP, RFC 2595 IMAP/POP3, RFC 4217 FTP, RFC 6120 XMPP, IRCv3
/// STARTTLS) and notices credentials sent in clear. Lines are read, never kept.
enum LineProtocolObserver {
    /// True when the first bytes are printable text, which every line protocol starts with.
    static func looksLikeText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let sample = bytes.prefix(16)
        guard !sample.isEmpty else { return false }
        return sample.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) }
    }

    private static let httpMethods = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "]
    private static let memcachedCommands = [
        "get ", "gets ", "set ", "add ", "replace ", "append ", "prepend ", "cas ", "delete ", "incr ", "decr ",
        "touch ", "gat ", "gats ", "stats", "version", "flush_all", "verbosity ", "mg ", "ms ", "md ", "ma ", "mn",
    ]

    /// Observes one line (without its line feed).
    static func observe(
        line: UnsafeRawBufferPointer, from direction: Direction, serverPort: UInt16, facts: inout ApplicationFacts
    ) {
        // Keywords are ASCII and near the start; the rest of the line (a secret, maybe) is never read.
        var raw = String(decoding: line.prefix(160), as: UTF8.self)
        if raw.hasSuffix("\r") { raw.removeLast() }
        let text = raw.uppercased()
        if facts.protocolName == nil || facts.ambiguousBanner {
            identify(raw: raw, upper: text, from: direction, serverPort: serverPort, facts: &facts)
        }
        guard let application = facts.protocolName else { return }
        if application == .http { observeConnect(raw: raw, upper: text, from: direction, facts: &facts) }
        switch direction {
        case .client: observeClient(text, application: application, facts: &facts)
        case .server: observeServer(text, application: application, facts: &facts)
        }
    }

    private static func identify(
        raw: String, upper: String, from direction: Direction, serverPort: UInt16, facts: inout ApplicationFacts
    ) {
        switch direction {
        case .client:
            if facts.ambiguousBanner {
                if upper.hasPrefix("EHLO ") || upper.hasPrefix("HELO ") {
                    facts.protocolName = .smtp
                    facts.ambiguousBanner = false
                } else if upper.hasPrefix("USER ") || upper.hasPrefix("AUTH TLS") || upper.hasPrefix("FEAT") {
                    facts.protocolName = .ftp
                    facts.ambiguousBanner = false
                }
                return
            }
            if httpMethods.contains(where: upper.hasPrefix), upper.containsBytes(" HTTP/1.") {
                facts.protocolName = .http
            } else if upper.hasPrefix("EHLO ") || upper.hasPrefix("HELO ") {
                facts.protocolName = .smtp
            } else if upper.hasPrefix("SSH-") {
                facts.encryptedProtocol = .ssh
            } else if upper.hasPrefix("<?XML") || upper.hasPrefix("<STREAM:STREAM") {
                facts.protocolName = .xmpp
            } else if upper.hasPrefix("NICK ") || upper.hasPrefix("CAP LS") || upper.hasPrefix("CAP REQ") {
                facts.protocolName = .irc
            } else if raw.hasPrefix("*"), raw.dropFirst().first?.isNumber == true {
                facts.protocolName = .redis  // RESP array: every redis-cli command
            } else if memcachedCommands.contains(where: raw.hasPrefix) {
                facts.protocolName = serverPort == 6379 ? .redis : .memcached
            } else if raw.hasPrefix("<"), raw.dropFirst().first?.isNumber == true {
                facts.protocolName = .syslog  // RFC 5424 / 3164 "<PRI>" over TCP
            } else if isIMAPCommand(upper) {
                facts.protocolName = .imap
            } else if upper == "CAPA" || upper == "STLS" {
                facts.protocolName = .pop3
            } else if upper == "STARTTLS" {
                // SMTP and IMAP clients greet first; a bare opening STARTTLS is IRC's (IRCv3 tls).
                facts.protocolName = .irc
            }
        case .server:
            if upper.hasPrefix("HTTP/1.") {
                facts.protocolName = .http
            } else if upper.hasPrefix("SSH-") {
                facts.encryptedProtocol = .ssh
            } else if upper.hasPrefix("+OK") {
                facts.protocolName = .pop3
            } else if upper.hasPrefix("* OK") || upper.hasPrefix("* PREAUTH") {
                facts.protocolName = .imap
            } else if upper.hasPrefix("220") {
                if upper.containsBytes("FTP") || serverPort == 21 {
                    facts.protocolName = .ftp
                } else if upper.containsBytes("SMTP") || [25, 465, 587, 2525].contains(serverPort) {
                    facts.protocolName = .smtp
                } else {
                    // Both greet with 220; until the client speaks, SMTP is the likelier.
                    facts.protocolName = .smtp
                    facts.ambiguousBanner = true
                }
            } else if upper.hasPrefix("<?XML") || upper.hasPrefix("<STREAM:STREAM") {
                facts.protocolName = .xmpp
            } else if upper.hasPrefix(":"), upper.split(separator: " ").count >= 3 {
                facts.protocolName = .irc
            } else if upper.hasPrefix("VERSION ") || upper == "STORED" || upper.hasPrefix("VALUE ") {
                facts.protocolName = .memcached
            }
        }
    }

    /// HTTP CONNECT (RFC 9110 §9.3.6): a 2xx answer makes the connection a tunnel, whose TLS
    /// starts right after the response's empty line; any other final status refuses it.
    private static func observeConnect(
        raw: String, upper: String, from direction: Direction, facts: inout ApplicationFacts
    ) {
        switch direction {
        case .client:
            guard upper.hasPrefix("CONNECT "), facts.tunnel == nil else { return }
            let words = raw.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard words.count >= 2 else { return }
            facts.tunnel = .httpConnect
            facts.tunnelTarget = String(words[1].prefix(TunnelObserver.maximumTargetLength))
            facts.requestUpgrade()
        case .server:
            guard facts.tunnel == .httpConnect, facts.upgradePending, !facts.upgradeAccepted,
                upper.hasPrefix("HTTP/1."), upper.count >= 12
            else { return }
            let status = upper.dropFirst(9).prefix(3)
            guard let first = status.first, first != "1" else { return }  // interim responses
            if first == "2" { facts.upgradeAccepted = true } else { facts.upgradeRefused = true }
        }
    }

    /// "a001 LOGIN …", "A1 CAPABILITY": an IMAP tag then a command.
    private static func isIMAPCommand(_ upper: String) -> Bool {
        let words = upper.split(separator: " ", maxSplits: 2)
        guard words.count >= 2 else { return false }
        return ["CAPABILITY", "LOGIN", "STARTTLS", "AUTHENTICATE", "NOOP", "ID"].contains(String(words[1]))
    }

    /// HTTP request headers and form bodies: the line as a whole, never split into words (an HTTP
    /// connection sends far more lines than the other protocols, and splitting each was a
    /// twentieth of reading a mixed capture).
    private static func observeHTTPClient(_ text: String, facts: inout ApplicationFacts) {
        if text.hasPrefix("AUTHORIZATION:") || text.hasPrefix("PROXY-AUTHORIZATION:") {
            facts.markCredentials("http-authorization")
        } else if text.hasPrefix("CONTENT-TYPE:"), text.containsBytes("APPLICATION/X-WWW-FORM-URLENCODED") {
            facts.httpFormHeader = true
        } else if text.isEmpty {
            facts.httpFormBody = facts.httpFormHeader
            facts.httpFormHeader = false
        } else if facts.httpFormBody {
            observeFormBody(text, facts: &facts)
        }
    }

    private static func observeClient(_ text: String, application: ApplicationProtocol, facts: inout ApplicationFacts) {
        if application == .http { return observeHTTPClient(text, facts: &facts) }
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        let first = words.first.map(String.init) ?? ""
        switch application {
        case .smtp:
            if facts.smtpAuthContinuation, !text.isEmpty, text != "*" {
                facts.markCredentials("smtp-auth")
                facts.smtpAuthContinuation = false
            }
            if text == "STARTTLS" { facts.requestUpgrade() }
            if first == "AUTH", words.count >= 2 {
                let mechanism = String(words[1])
                if mechanism == "PLAIN" || mechanism == "LOGIN" {
                    // AUTH PLAIN <initial response> carries it at once; otherwise the next line does.
                    if words.count == 3 {
                        facts.markCredentials("smtp-auth")
                    } else {
                        facts.smtpAuthContinuation = true
                    }
                }
            }
        case .pop3:
            if text == "STLS" { facts.requestUpgrade() }
            if first == "PASS", words.count >= 2 { facts.markCredentials("pop3-pass") }
            if first == "AUTH", words.count >= 2, words[1] == "PLAIN" { facts.markCredentials("pop3-auth-plain") }
        case .imap:
            guard words.count >= 2 else { return }
            let command = String(words[1])
            if command == "STARTTLS" { facts.requestUpgrade() }
            if command == "LOGIN" { facts.markCredentials("imap-login") }
            if command == "AUTHENTICATE", words.count == 3, words[2].hasPrefix("PLAIN") || words[2].hasPrefix("LOGIN") {
                facts.markCredentials("imap-authenticate")
            }
        case .ftp:
            if first == "AUTH", words.count >= 2, ["TLS", "SSL", "TLS-C", "TLS-P"].contains(String(words[1])) {
                facts.requestUpgrade()
            }
            if first == "USER", words.count >= 2 {
                facts.anonymousFTP = words[1] == "ANONYMOUS" || words[1] == "FTP"
            }
            if first == "PASS", words.count >= 2, !facts.anonymousFTP { facts.markCredentials("ftp-pass") }
            if first == "PORT" || first == "EPRT", words.count >= 2 {
                facts.announcedDataPort = FTPDataPort.parse(command: first, argument: String(words[1]))
            }
        case .irc:
            if text == "STARTTLS" { facts.requestUpgrade() }
            if first == "PASS", words.count >= 2 { facts.markCredentials("irc-pass") }
        case .xmpp:
            if text.containsBytes("<STARTTLS") { facts.requestUpgrade() }
            if text.containsBytes("<AUTH") && text.containsBytes("PLAIN") { facts.markCredentials("xmpp-sasl-plain") }
        case .redis:
            // RESP sends the command word on its own line; inline commands start the line with it.
            if text == "AUTH" || first == "AUTH" { facts.markCredentials("redis-auth") }
        default:
            break
        }
    }

    private static func observeServer(_ text: String, application: ApplicationProtocol, facts: inout ApplicationFacts) {
        switch application {
        case .smtp:
            if text.hasPrefix("250-STARTTLS") || text.hasPrefix("250 STARTTLS") { facts.upgradeAdvertised = true }
            if facts.upgradePending && !facts.upgradeAccepted {
                if text.hasPrefix("220") {
                    facts.upgradeAccepted = true
                } else if isFailureCode(text) {
                    facts.upgradeRefused = true
                }
            }
        case .imap:
            if text.containsBytes("CAPABILITY") && text.containsBytes(" STARTTLS") { facts.upgradeAdvertised = true }
            if facts.upgradePending && !facts.upgradeAccepted {
                let words = text.split(separator: " ")
                if words.count >= 2, words[0] != "*" {
                    if words[1] == "OK" {
                        facts.upgradeAccepted = true
                    } else if words[1] == "NO" || words[1] == "BAD" {
                        facts.upgradeRefused = true
                    }
                }
            }
        case .pop3:
            if text == "STLS" { facts.upgradeAdvertised = true }
            if facts.upgradePending && !facts.upgradeAccepted {
                if text.hasPrefix("+OK") {
                    facts.upgradeAccepted = true
                } else if text.hasPrefix("-ERR") {
                    facts.upgradeRefused = true
                }
            }
        case .ftp:
            if text.hasPrefix(" AUTH TLS") || text.hasPrefix("AUTH TLS") { facts.upgradeAdvertised = true }
            if text.hasPrefix("227 ") || text.hasPrefix("229 ") {
                facts.announcedDataPort = FTPDataPort.parse(reply: text)
            }
            if facts.upgradePending && !facts.upgradeAccepted {
                if text.hasPrefix("234") {
                    facts.upgradeAccepted = true
                } else if isFailureCode(text) {
                    facts.upgradeRefused = true
                }
            }
        case .irc:
            let words = text.split(separator: " ")
            if text.containsBytes(" CAP "), text.containsBytes("TLS") { facts.upgradeAdvertised = true }
            if facts.upgradePending && !facts.upgradeAccepted, words.count >= 2 {
                if words[1] == "670" {
                    facts.upgradeAccepted = true
                } else if words[1] == "691" {
                    facts.upgradeRefused = true
                }
            }
        case .xmpp:
            if text.containsBytes("<STARTTLS") { facts.upgradeAdvertised = true }
            if facts.upgradePending && !facts.upgradeAccepted {
                if text.containsBytes("<PROCEED") {
                    facts.upgradeAccepted = true
                } else if text.containsBytes("<FAILURE") {
                    facts.upgradeRefused = true
                }
            }
        default:
            break
        }
    }

    /// Field names login forms use for the secret.
    private static let passwordFields = ["PASSWORD=", "PASSWD=", "PASS=", "PWD=", "SECRET="]

    /// A urlencoded form body (or the part of it seen so far) with a password field.
    static func observeFormBody(_ upper: String, facts: inout ApplicationFacts) {
        for field in upper.split(separator: "&") where passwordFields.contains(where: field.hasPrefix) {
            if field.split(separator: "=", maxSplits: 1).count == 2 { facts.markCredentials("http-form-password") }
        }
    }

    /// Text not yet ended by a line feed; only an HTTP form body is read this way, since it
    /// usually has none.
    static func observePartial(
        _ bytes: UnsafeRawBufferPointer, from direction: Direction, facts: inout ApplicationFacts
    ) {
        guard direction == .client, facts.protocolName == .http, facts.httpFormBody else { return }
        observeFormBody(String(decoding: bytes.prefix(1024), as: UTF8.self).uppercased(), facts: &facts)
    }

    /// SMTP/FTP reply codes 4xx and 5xx.
    private static func isFailureCode(_ text: String) -> Bool {
        guard let first = text.first else { return false }
        return (first == "4" || first == "5") && text.prefix(3).allSatisfy(\.isNumber)
    }
}
