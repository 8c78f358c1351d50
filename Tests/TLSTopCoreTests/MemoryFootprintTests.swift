import Testing

@testable import TLSTopCore

/// What one tracked flow costs, as docs/performance.md accounts it: these sizes are the budget,
/// and a change that grows one past it says so there.
@Suite struct MemoryFootprintTests {
    @Test func anAttemptIsAFewTensOfBytes() {
        #expect(MemoryLayout<AttemptTable.Attempt>.stride <= 56)
        #expect(MemoryLayout<FlowKey>.stride <= 40)
    }

    @Test func theInlinePartsOfAConnectionStayWithinTheirBudget() {
        #expect(MemoryLayout<TCPReassembler>.stride <= 40)
        #expect(MemoryLayout<ConnectionRecord>.stride <= 496)
        #expect(MemoryLayout<HandshakeFacts>.stride <= 608)
        // A hello's ten lists are one buffer, not ten arrays (see CodePointList).
        #expect(MemoryLayout<ClientHello>.stride <= 104)
        // What only some flows need is boxed: QUIC state, key log decryption, the retry hellos.
        #expect(MemoryLayout<StreamState>.stride <= 80)
        #expect(MemoryLayout<QUICState?>.stride == 8)
    }
}
