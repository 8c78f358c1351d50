/// How a connection's TLS was reached through a tunnel: rare, so kept out of line (the record
/// stays within its budget, docs/performance.md) and shared, never copied.
public final class TunnelRecord: Sendable, Equatable {
    public let kind: Tunnel
    /// "host:port" the proxy was asked for (HTTP CONNECT, SOCKS5); nil for RDP.
    public let target: String?
    /// RDP: the security protocol the server chose.
    public let rdpSecurity: RDPSecurity?

    public init(kind: Tunnel, target: String?, rdpSecurity: RDPSecurity?) {
        self.kind = kind
        self.target = target
        self.rdpSecurity = rdpSecurity
    }

    public static func == (lhs: TunnelRecord, rhs: TunnelRecord) -> Bool {
        lhs.kind == rhs.kind && lhs.target == rhs.target && lhs.rdpSecurity == rhs.rdpSecurity
    }
}
