/// What the clear-text part of a connection showed: which protocol, whether it offered, asked
/// for and completed an in-band TLS upgrade, and whether credentials crossed in clear.
///
/// Secrets are never kept: observers set flags and mechanism names, nothing of the line itself.
public struct ApplicationFacts: Sendable, Equatable {
    public var protocolName: ApplicationProtocol?
    /// A non-TLS encrypted protocol recognized instead.
    public var encryptedProtocol: EncryptedProtocol?
    /// The server advertised the upgrade (EHLO STARTTLS, CAPABILITY STARTTLS, CAPA STLS, FEAT AUTH
    /// TLS, XMPP <starttls>, MySQL CLIENT_SSL).
    public var upgradeAdvertised = false
    /// The client asked for the upgrade.
    public var upgradeRequested = false
    /// The server agreed (220, OK, +OK, 234, <proceed/>, 670, 'S', LDAP success).
    public var upgradeAccepted = false
    public var upgradeRefused = false
    /// TLS really followed the upgrade.
    public var upgraded = false
    public var cleartextCredentials = false
    /// How the credentials were sent ("http-authorization", "ftp-pass", "ldap-simple-bind", …).
    public var credentialMechanism: String?

    /// Where the proxy was asked to connect ("host:port"), capped; boxed, since it is rare and
    /// every connection carries these facts.
    public var tunnelTarget: String? {
        get { tunnelTargetBox?.text }
        set { tunnelTargetBox = newValue.map(TextBox.init) }
    }

    /// A data connection the FTP control channel announced: (address text or nil for the server's
    /// own, port). The tracker expects it and names it `ftp-data`.
    public var announcedDataPort: (host: IPAddress?, port: UInt16)?

    // Observer state that spans lines or messages.
    var smtpAuthContinuation = false
    var pop3OrFTPUserSeen = false
    var anonymousFTP = false
    var telnetPasswordPrompt = false
    /// The last few characters of server text, so a prompt split across segments is still seen.
    var telnetPromptTail: [UInt8] = []
    var postgresCleartextPasswordRequested = false
    var ldapStartTLSPending = false
    /// A 220 banner could be SMTP or FTP; the client's first command decides.
    var ambiguousBanner = false
    /// HTTP: the client is sending a form body (application/x-www-form-urlencoded).
    var httpFormBody = false
    var httpFormHeader = false
    // The one-byte fields last, where the padding after the bools above has room for them.
    /// A proxy or protocol tunnel asked for (HTTP CONNECT, SOCKS5 CONNECT, RDP negotiation); its
    /// TLS is the connection's once `upgraded`.
    public var tunnel: Tunnel?
    /// RDP: the security protocol the server chose.
    public var rdpSecurity: RDPSecurity?
    /// SOCKS5 messages read per direction (their layout depends on the position), up to 15 each.
    var socksMessages: UInt8 = 0
    private var tunnelTargetBox: TextBox?

    public init() {}

    public static func == (lhs: ApplicationFacts, rhs: ApplicationFacts) -> Bool {
        lhs.protocolName == rhs.protocolName && lhs.encryptedProtocol == rhs.encryptedProtocol
            && lhs.upgradeAdvertised == rhs.upgradeAdvertised && lhs.upgradeRequested == rhs.upgradeRequested
            && lhs.upgradeAccepted == rhs.upgradeAccepted && lhs.upgradeRefused == rhs.upgradeRefused
            && lhs.upgraded == rhs.upgraded && lhs.cleartextCredentials == rhs.cleartextCredentials
            && lhs.credentialMechanism == rhs.credentialMechanism && lhs.tunnel == rhs.tunnel
            && lhs.tunnelTarget == rhs.tunnelTarget && lhs.rdpSecurity == rhs.rdpSecurity
            && lhs.announcedDataPort?.host == rhs.announcedDataPort?.host
            && lhs.announcedDataPort?.port == rhs.announcedDataPort?.port
    }

    var socksClientMessages: UInt8 { socksMessages & 0x0F }
    var socksServerMessages: UInt8 { socksMessages >> 4 }

    mutating func countSOCKSMessage(from direction: Direction) {
        switch direction {
        case .client where socksClientMessages < 15: socksMessages += 1
        case .server where socksServerMessages < 15: socksMessages += 0x10
        default: break
        }
    }

    /// A new upgrade request starts over (FTP clients try AUTH SSL, then AUTH TLS).
    mutating func requestUpgrade() {
        upgradeRequested = true
        upgradeRefused = false
        upgradeAccepted = false
    }

    /// The upgrade is asked for and not refused: TLS may start at the next message boundary.
    var upgradePending: Bool { upgradeRequested && !upgradeRefused }

    mutating func markCredentials(_ mechanism: String) {
        cleartextCredentials = true
        if credentialMechanism == nil { credentialMechanism = mechanism }
    }
}

/// An immutable string behind one pointer (8 bytes inline instead of a String's 16).
final class TextBox: Sendable {
    let text: String
    init(_ text: String) { self.text = text }
}

/// The mutable, out-of-line home of part of a connection's facts (`HandshakeFacts.application`,
/// `HandshakeFacts.server`).
final class CopyOnWriteBox<Value: Sendable>: @unchecked Sendable {
    // Unchecked: changed only through `HandshakeFacts`'s accessors, which copy a shared box
    // before changing it, so a box another value can see is never written.
    var value: Value
    init(_ value: Value) { self.value = value }
}
