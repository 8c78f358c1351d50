/// The transport-level view of one captured frame.
///
/// `payload` borrows the frame's memory: it is valid only inside the call that decoded it, which is
/// what keeps decoding free of copies and allocations.
public struct DecodedPacket {
    public enum Transport: UInt8, Sendable {
        case tcp = 6
        case udp = 17
        /// IPsec Encapsulating Security Payload: no ports; the flow is the address pair.
        case esp = 50

        public var name: String {
            switch self {
            case .tcp: "tcp"
            case .udp: "udp"
            case .esp: "esp"
            }
        }
    }

    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var transport: Transport
    /// TCP only: sequence number, acknowledgment number and flags.
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    public var tcpFlags: TCPFlags
    /// Transport payload as captured (may be shorter than on the wire when the snap length cut it).
    public var payload: UnsafeRawBufferPointer
    /// Payload length the IP header declares, so a cut capture shows up as a gap, not as data.
    public var declaredPayloadLength: Int
    /// Bytes of the IP packet on the wire (IP header included), for byte counters.
    public var ipLength: Int
}

public struct TCPFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
}
