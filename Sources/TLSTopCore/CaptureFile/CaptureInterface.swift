/// One interface of a capture file: a classic pcap file has one, a pcapng section any number
/// (one Interface Description Block each, numbered from 0 in every section).
public struct CaptureInterface: Sendable, Equatable {
    /// The LINKTYPE_ number as written in the file.
    public var linkTypeNumber: Int
    /// The decoder for it; nil when tlstop does not read that link layer (its packets are skipped).
    public var linkType: LinkType?
    public var snapLength: Int
    /// Units of the timestamps per second (10^6 for microseconds, 10^9 for nanoseconds, 2^n).
    public var unitsPerSecond: UInt64
    /// `if_tsoffset`: seconds added to every timestamp of this interface.
    public var offsetSeconds: Int64
    /// `if_name`, when the file says (capped).
    public var name: String?

    public init(
        linkTypeNumber: Int, snapLength: Int, unitsPerSecond: UInt64 = 1_000_000, offsetSeconds: Int64 = 0,
        name: String? = nil
    ) {
        self.linkTypeNumber = linkTypeNumber
        self.linkType = LinkType(linkTypeNumber: linkTypeNumber)
        self.snapLength = snapLength
        self.unitsPerSecond = unitsPerSecond
        self.offsetSeconds = offsetSeconds
        self.name = name
    }

    /// A 64-bit count of units since the epoch as a timestamp, without overflow for any unit.
    func timestamp(units: UInt64) -> Timestamp {
        let perSecond = max(unitsPerSecond, 1)
        let (seconds, fraction) = units.quotientAndRemainder(dividingBy: perSecond)
        // fraction < perSecond, so fraction × 10^9 / perSecond < 10^9; the full-width product
        // keeps it exact for units finer than a nanosecond or powers of two.
        let product = fraction.multipliedFullWidth(by: 1_000_000_000)
        let nanoseconds = perSecond.dividingFullWidth((product.high, product.low)).quotient
        let limit: Int64 = 9_223_372_035  // what Timestamp holds in Int64 nanoseconds
        let shifted = Int64(clamping: seconds).addingReportingOverflow(offsetSeconds)
        let clamped =
            shifted.overflow
            ? (offsetSeconds < 0 ? -limit : limit) : min(max(shifted.partialValue, -limit), limit)
        return Timestamp(seconds: clamped, nanoseconds: Int64(nanoseconds))
    }
}

extension LinkType {
    /// libpcap's name of a link-type number (`pcap_datalink_val_to_name`), for reports.
    public static func pcapName(of linkTypeNumber: Int) -> String {
        switch linkTypeNumber {
        case 0: "NULL"
        case 1: "EN10MB"
        case 9: "PPP"
        case 50: "PPP_HDLC"
        case 12, 14, 101: "RAW"
        case 108: "LOOP"
        case 113: "LINUX_SLL"
        case 127: "IEEE802_11_RADIO"
        case 228: "IPV4"
        case 229: "IPV6"
        case 276: "LINUX_SLL2"
        default: "LINKTYPE_\(linkTypeNumber)"
        }
    }
}
