/// Link-layer header types (tcpdump.org LINKTYPE_ values) that the decoder understands.
public enum LinkType: Sendable, Equatable {
    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    case null
    case ethernet
    /// Raw IPv4 or IPv6; the version nibble says which.
    case raw
    case linuxSLL
    case linuxSLL2
    case ipv4
    case ipv6
    /// OpenBSD loopback: like `null`, but the family is in network byte order.
    case loop
    /// PPP (RFC 1661), with or without the HDLC address/control bytes (RFC 1662).
    case ppp

    /// Maps a pcap link-type number; `nil` for types this decoder does not read.
    public init?(linkTypeNumber: Int) {
        switch linkTypeNumber {
        case 0: self = .null
        case 1: self = .ethernet
        case 9, 50: self = .ppp
        // 101 is the canonical LINKTYPE_RAW; 12 and 14 are the DLT values some systems write.
        case 12, 14, 101: self = .raw
        case 108: self = .loop
        case 113: self = .linuxSLL
        case 228: self = .ipv4
        case 229: self = .ipv6
        case 276: self = .linuxSLL2
        default: return nil
        }
    }

    public static let supportedDescription =
        "Ethernet (1, with 802.1Q/802.1ad tags), BSD null (0), OpenBSD loop (108), raw IP (101), "
        + "Linux SLL (113), Linux SLL2 (276), PPP (9, 50), IPv4 (228), IPv6 (229)"
}
