import Testing

@testable import TLSTopCore

@Suite struct TCPReassemblerTests {
    /// Feeds segments and returns everything delivered, in order.
    func deliver(_ segments: [(UInt32, [UInt8])], syn: UInt32? = 999, stopAfter: Int = .max) -> (
        [UInt8], TCPReassembler
    ) {
        var reassembler = TCPReassembler()
        if let syn { _ = reassembler.acceptSYN(sequence: syn) }
        var out: [UInt8] = []
        for (sequence, bytes) in segments {
            bytes.withUnsafeBytes { raw in
                _ = reassembler.accept(sequence: sequence, payload: raw, declaredLength: raw.count) { chunk in
                    out += chunk
                    return out.count < stopAfter
                }
            }
        }
        return (out, reassembler)
    }

    @Test func inOrderSegmentsPassThrough() {
        let (out, _) = deliver([(1000, [1, 2, 3]), (1003, [4, 5])])
        #expect(out == [1, 2, 3, 4, 5])
    }

    @Test func outOfOrderSegmentsAreHeldUntilTheHoleFills() {
        let (out, reassembler) = deliver([(1003, [4, 5]), (1005, [6]), (1000, [1, 2, 3])])
        #expect(out == [1, 2, 3, 4, 5, 6])
        #expect(reassembler.heldBytes == 0)
    }

    @Test func retransmissionsAndOverlapsAreTrimmed() {
        let (out, _) = deliver([(1000, [1, 2, 3]), (1000, [1, 2, 3]), (1002, [3, 4, 5]), (1001, [2])])
        #expect(out == [1, 2, 3, 4, 5])
    }

    @Test func overlappingHeldSegmentsDeliverEachByteOnce() {
        let (out, _) = deliver([(1002, [3, 4, 5, 6]), (1004, [5, 6, 7]), (1000, [1, 2])])
        #expect(out == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test func sequenceNumbersWrapAround() {
        let start: UInt32 = 0xFFFF_FFFE
        let (out, _) = deliver([(start, [1, 2]), (0, [3, 4]), (2, [5])], syn: start &- 1)
        #expect(out == [1, 2, 3, 4, 5])
    }

    @Test func midStreamCaptureStartsAtTheFirstSegmentSeen() {
        let (out, _) = deliver([(5000, [9, 8]), (5002, [7])], syn: nil)
        #expect(out == [9, 8, 7])
    }

    @Test func tooMuchOutOfOrderDataIsAGapNotUnboundedMemory() {
        let chunk = [UInt8](repeating: 7, count: 1000)
        let segments = (1..<200).map { (UInt32(1000 + $0 * 1000), chunk) }
        let (out, reassembler) = deliver(segments)
        #expect(out.isEmpty)
        #expect(reassembler.hasGap)
        #expect(reassembler.heldBytes == 0)
    }

    @Test func aConsumerThatIsDoneStopsDelivery() {
        let (out, reassembler) = deliver([(1000, [1, 2, 3]), (1003, [4, 5])], stopAfter: 2)
        #expect(out == [1, 2, 3])
        #expect(reassembler.isFinished)
        #expect(!reassembler.hasGap)
    }

    @Test func aSnapLengthCutIsAGap() {
        var reassembler = TCPReassembler()
        _ = reassembler.acceptSYN(sequence: 0)
        let bytes: [UInt8] = [1, 2, 3]
        var delivered: [UInt8] = []
        bytes.withUnsafeBytes { raw in
            _ = reassembler.accept(sequence: 1, payload: raw, declaredLength: 10) { chunk in
                delivered += chunk
                return true
            }
        }
        // The captured part is still delivered; what the cut lost makes the stream end there.
        #expect(reassembler.hasGap)
        #expect(delivered == [1, 2, 3])
    }

    @Test func aNewSYNWithAnotherSequenceIsRecognized() {
        var reassembler = TCPReassembler()
        let first = reassembler.acceptSYN(sequence: 10)
        let retransmitted = reassembler.acceptSYN(sequence: 10)
        let other = reassembler.acceptSYN(sequence: 11)
        #expect(first && retransmitted && !other)
    }
}
