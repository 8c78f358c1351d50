import TLSTopCore

/// Builds raw-IP frames for tests that need traffic no real peer sends in that shape
/// (reordered, duplicated, cut), while the payload bytes stay real.
public enum FrameBuilder {
    public static func ipv4TCP(
        from source: (String, UInt16), to destination: (String, UInt16), sequence: UInt32,
        acknowledgment: UInt32 = 0, flags: TCPFlags, payload: [UInt8] = []
    ) -> [UInt8] {
        let tcpLength = 20 + payload.count
        let total = 20 + tcpLength
        var frame: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0x40, 0, 64, 6, 0, 0]
        frame += address(source.0) + address(destination.0)
        frame += be16(source.1) + be16(destination.1) + be32(sequence) + be32(acknowledgment)
        frame += [0x50, flags.rawValue, 0xFF, 0xFF, 0, 0, 0, 0]
        return frame + payload
    }

    public static func address(_ text: String) -> [UInt8] {
        let value = IPAddress(text)?.ipv4Value ?? 0
        return be32(value)
    }

    public static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    public static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

extension TrafficAnalysis {
    public func ingest(raw frame: [UInt8], at nanoseconds: Int64 = 0) {
        frame.withUnsafeBytes {
            ingest(frame: $0, linkType: .raw, wireLength: frame.count, timestamp: Timestamp(nanoseconds: nanoseconds))
        }
    }
}
