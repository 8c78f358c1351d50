/// Clear-text application protocols tlstop recognizes by their first bytes.
public enum ApplicationProtocol: String, Sendable, CaseIterable {
    case http, smtp, imap, pop3, ftp, telnet, ldap, mysql, postgres, redis, mqtt, memcached, dns, snmp, syslog
    case xmpp, irc
    /// SOCKS proxy set-up (SOCKS4/4a, RFC 1928's SOCKS5) and RDP's X.224 negotiation: binary, clear
    /// text until the tunnel carries TLS (`Tunnel`).
    case socks4, socks5, rdp
    /// An FTP data connection, announced on its control connection (PASV, EPSV, PORT, EPRT).
    case ftpData = "ftp-data"

    /// Ports where this protocol is expected in clear (or upgraded in band): TLS arriving directly
    /// on one of them is unusual enough to mark.
    static let plaintextPorts: Set<UInt16> = [
        21, 23, 25, 53, 80, 110, 143, 161, 162, 389, 514, 587, 1883, 3306, 1080, 3389, 5222, 5432, 6379, 6667, 8080,
        11211,
    ]

    /// Ports that carry implicit TLS (HTTPS, SMTPS submission, LDAPS, DNS over TLS, IMAPS, POP3S):
    /// clear text there means a misconfiguration or a downgrade.
    static let tlsPorts: Set<UInt16> = [443, 465, 636, 853, 993, 995, 8443]
}

/// Encryption that is not TLS, recognized and counted as encrypted.
public enum EncryptedProtocol: String, Sendable, CaseIterable {
    case ssh, wireguard, esp
    /// IKE (RFC 7296), which negotiates IPsec: encrypted after its first exchange.
    case ike
    /// SNMPv3 with the privacy flag set: the PDU is encrypted.
    case snmpv3
}
