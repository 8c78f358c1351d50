import Testing

@testable import TLSTopCore

/// What one tracked flow costs, as docs/performance.md accounts it: these sizes are the budget,
/// and a change that grows one past it says so there.
/// glibc's: the bytes an allocation actually occupies (malloc.h is not in the Glibc module).
@_silgen_name("malloc_usable_size")
private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer?) -> Int

@Suite struct MemoryFootprintTests {
    @Test func anAttemptIsAFewTensOfBytes() {
        #expect(MemoryLayout<AttemptTable.Attempt>.stride <= 56)
        #expect(MemoryLayout<FlowKey>.stride <= 40)
    }

    @Test func theInlinePartsOfAConnectionStayWithinTheirBudget() {
        #expect(MemoryLayout<TCPReassembler>.stride <= 40)
        // 504: the offer's share of the hello's buffer now names twelve spans (server name, ALPN).
        #expect(MemoryLayout<ConnectionRecord>.stride <= 504)
        // The server's side is out of line (`ServerFacts`): a connection waiting for its server
        // has none of it.
        #expect(MemoryLayout<HandshakeFacts>.stride <= 192)
        #expect(MemoryLayout<ServerFacts>.stride <= 144)
        // A hello's lists, its server name and ALPN names are one buffer, not arrays and strings.
        #expect(MemoryLayout<ClientHello>.stride <= 72)
        // What only some flows need is boxed: QUIC state, key log decryption, the retry hellos.
        #expect(MemoryLayout<StreamState>.stride <= 56)
        #expect(MemoryLayout<QUICState?>.stride == 8)
        #expect(MemoryLayout<LocalProcess?>.stride > 8, "boxed in Connection because it is this large")
    }

    /// What the allocator hands out for each object a connection waiting for its server keeps
    /// (glibc rounds a request up to 16 bytes past an 8-byte header).
    @Test func theObjectsOfAnOpenConnectionStayWithinTheirBudget() {
        func allocated(_ object: AnyObject) -> Int {
            mallocUsableSize(Unmanaged.passUnretained(object).toOpaque())
        }
        let address = IPAddress(ipv4: 0x0A00_0001)
        let connection = Connection(
            id: 1, transport: .tcp, client: Endpoint(address: address, port: 40000),
            server: Endpoint(address: address, port: 443), rolesKnown: true, timestamp: Timestamp(nanoseconds: 0))
        #expect(allocated(connection) <= 248)
        let analyzer = HandshakeAnalyzer()
        #expect(allocated(analyzer) <= 312)
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
