import TestSupport
import Testing

@testable import TLSTopCore

/// The flow table against a dictionary, through growth and the backward shifts of removal.
@Suite struct ConnectionTableTests {
    private static func connection(_ id: Int, client: UInt32, port: UInt16, transport: DecodedPacket.Transport = .tcp)
        -> Connection
    {
        Connection(
            id: id, transport: transport, client: Endpoint(address: IPAddress(ipv4: client), port: port),
            server: Endpoint(address: IPAddress(ipv4: 0x0A00_0001), port: 443), rolesKnown: true,
            timestamp: Timestamp(nanoseconds: 0))
    }

    @Test func findsEachFlowFromEitherDirectionAndNothingElse() {
        var table = ConnectionTable()
        let tcp = Self.connection(1, client: 0x0A00_0002, port: 40000)
        let udp = Self.connection(2, client: 0x0A00_0002, port: 40000, transport: .udp)
        table.insert(tcp, for: tcp.key)
        table.insert(udp, for: udp.key)
        let reverse = FlowKey(tcp.server.address, tcp.server.port, tcp.client.address, tcp.client.port, transport: 6)
        #expect(table[reverse] === tcp)
        #expect(table[udp.key] === udp)
        #expect(table[Self.connection(3, client: 0x0A00_0002, port: 40001).key] == nil)
        #expect(table.count == 2)
        #expect(table.remove(tcp.key) === tcp)
        #expect(table[tcp.key] == nil && table[udp.key] === udp && table.count == 1)
        #expect(table.remove(tcp.key) == nil)
    }

    @Test func agreesWithADictionaryThroughGrowthAndChurn() {
        var table = ConnectionTable(minimumCapacity: 4)
        var reference: [FlowKey: Connection] = [:]
        var generator = SplitMix64(seed: 16)
        var nextID = 0
        for step in 0..<60_000 {
            // Few distinct flows, so that inserts, replacements and removals meet in the same runs.
            let client = UInt32(0x0A01_0000) | UInt32(generator.next() % 512)
            let port = UInt16(1024 + generator.next() % 8)
            nextID += 1
            let connection = Self.connection(nextID, client: client, port: port)
            let key = connection.key
            if generator.next() % 3 == 0 {
                #expect(table.remove(key) === reference.removeValue(forKey: key))
            } else {
                table.insert(connection, for: key)
                reference[key] = connection
            }
            if step % 997 == 0 {
                #expect(table.count == reference.count)
                for (key, connection) in reference { #expect(table[key] === connection) }
            }
        }
        #expect(table.count == reference.count && reference.count > 100)
        #expect(Set(table.connections.map(\.id)) == Set(reference.values.map(\.id)))
        for key in Array(reference.keys) { #expect(table.remove(key) === reference[key]) }
        #expect(table.count == 0 && Array(table.connections).isEmpty)
    }
}
