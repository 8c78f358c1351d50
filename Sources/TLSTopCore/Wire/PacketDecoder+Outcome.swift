extension PacketDecoder {
    /// What became of a frame: a packet to track, or the reason it is only counted.
    public enum Outcome {
        case packet(DecodedPacket)
        case skipped(Skip)
        /// Headers cut short by the capture.
        case truncated
        /// Headers that contradict themselves.
        case malformed
    }

    /// Decodes a frame and says what it is, without throwing.
    @inline(__always)
    public static func outcome(of frame: UnsafeRawBufferPointer, linkType: LinkType) -> Outcome {
        if linkType == .ethernet, let packet = decodeCommonTCP(frame) { return .packet(packet) }
        do throws(ParseError) {
            switch try decode(frame, linkType: linkType) {
            case .success(let packet): return .packet(packet)
            case .failure(let skip): return .skipped(skip)
            }
        } catch {
            return error.code == .truncated ? .truncated : .malformed
        }
    }
}
