/// How a connection reached the TLS it carries when it did not start with it: through a proxy
/// (`CONNECT`, SOCKS5) or inside a protocol that negotiates TLS first (RDP's X.224 exchange).
/// Unlike STARTTLS, the clear-text part is transport, not the application.
public enum Tunnel: String, Sendable, CaseIterable {
    case httpConnect = "http-connect"
    case socks4
    case socks5
    case rdp
}

/// RDP's security protocols ([MS-RDPBCGR] 2.2.1.1.1, `requestedProtocols` / `selectedProtocol`).
public enum RDPSecurity: String, Sendable {
    /// Standard RDP Security: RC4 with the server's proprietary certificate, no TLS.
    case rdp
    case ssl
    /// CredSSP (NLA) over TLS.
    case hybrid
    /// CredSSP with the Early User Authorization Result PDU.
    case hybridEx = "hybrid-ex"
    case rdstls
    case aad

    init?(selectedProtocol: UInt32) {
        switch selectedProtocol {
        case 0: self = .rdp
        case 1: self = .ssl
        case 2: self = .hybrid
        case 4: self = .rdstls
        case 8: self = .hybridEx
        case 16: self = .aad
        default: return nil
        }
    }

    /// Every mode but standard RDP security runs inside TLS.
    var usesTLS: Bool { self != .rdp }
}
