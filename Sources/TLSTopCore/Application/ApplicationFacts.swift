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

    // Observer state that spans lines or messages.
    var smtpAuthContinuation = false
    var pop3OrFTPUserSeen = false
    var anonymousFTP = false
    var telnetPasswordPrompt = false
    var postgresCleartextPasswordRequested = false
    var ldapStartTLSPending = false
    /// A 220 banner could be SMTP or FTP; the client's first command decides.
    var ambiguousBanner = false

    public init() {}

    /// The upgrade is asked for and not refused: TLS may start at the next message boundary.
    var upgradePending: Bool { upgradeRequested && !upgradeRefused }

    mutating func markCredentials(_ mechanism: String) {
        cleartextCredentials = true
        if credentialMechanism == nil { credentialMechanism = mechanism }
    }
}
