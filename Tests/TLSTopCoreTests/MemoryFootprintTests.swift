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
        #expect(MemoryLayout<HandshakeFacts>.stride <= 344)
        // A hello's ten lists are one buffer, not ten arrays (see CodePointList).
        #expect(MemoryLayout<ClientHello>.stride <= 104)
        // What only some flows need is boxed: QUIC state, key log decryption, the retry hellos.
        #expect(MemoryLayout<StreamState>.stride <= 64)
        #expect(MemoryLayout<QUICState?>.stride == 8)
        #expect(MemoryLayout<LocalProcess?>.stride > 8, "boxed in Connection because it is this large")
    }

    /// The clear-text facts live in a box shared by copies of the facts: changing one copy must
    /// not change another (the settled facts, a judge's copy).
    @Test func applicationFactsAreCopiedOnWrite() {
        var original = HandshakeFacts()
        #expect(original.application.protocolName == nil)
        original.application.protocolName = .smtp
        var copy = original
        copy.application.upgradeRequested = true
        copy.application.protocolName = .imap
        #expect(original.application.protocolName == .smtp)
        #expect(original.application.upgradeRequested == false)
        #expect(copy.application.protocolName == .imap && copy.application.upgradeRequested)
        original.application = ApplicationFacts()
        #expect(original.application.protocolName == nil)
        #expect(copy.application.protocolName == .imap)
    }
}
