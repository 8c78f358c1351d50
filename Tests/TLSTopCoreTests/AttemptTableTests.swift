import TestSupport
import Testing

@testable import TLSTopCore

/// The attempt table against a dictionary, through growth, replacement, removal and expiry.
@Suite struct AttemptTableTests {
    private static func key(client: UInt32, port: UInt16) -> FlowKey {
        FlowKey(IPAddress(ipv4: client), port, IPAddress(ipv4: 0x0A00_0001), 443, transport: 6)
    }

    private static func attempt(_ id: Int, at time: Int64) -> AttemptTable.Attempt {
        AttemptTable.Attempt(id: id, firstSeen: time, lastSeen: time, flags: [.clientSYN])
    }

    @Test func agreesWithADictionaryThroughGrowthAndChurn() {
        var table = AttemptTable()
        var reference: [FlowKey: AttemptTable.Attempt] = [:]
        var generator = SplitMix64(seed: 7)
        var nextID = 0
        for step in 0..<50_000 {
            // Few distinct flows, so that inserts, replacements and removals meet in the same runs.
            let key = Self.key(
                client: 0x0A01_0000 | UInt32(generator.next() % 700), port: UInt16(1024 + generator.next() % 4))
            switch generator.next() % 5 {
            case 0:
                #expect(table.remove(key)?.id == reference.removeValue(forKey: key)?.id)
            case 1:
                // Read and change in place, where the one lookup found it.
                #expect((table.index(of: key) != nil) == (reference[key] != nil))
                if let index = table.index(of: key), var attempt = reference[key] {
                    #expect(table[at: index].id == attempt.id)
                    attempt.clientPackets += 1
                    table[at: index].clientPackets += 1
                    reference[key] = attempt
                }
            case 2:
                if let index = table.index(of: key) {
                    #expect(table.remove(at: index).id == reference.removeValue(forKey: key)?.id)
                }
            default:
                nextID += 1
                let attempt = Self.attempt(nextID, at: Int64(step))
                table.insert(attempt, for: key, idle: 1_000_000)
                reference[key] = attempt
            }
            if step % 991 == 0 {
                #expect(table.count == reference.count)
                for (key, attempt) in reference {
                    #expect(table[key]?.id == attempt.id && table[key]?.clientPackets == attempt.clientPackets)
                }
            }
        }
        #expect(table.count == reference.count && reference.count > 500)
        var all: [(FlowKey, AttemptTable.Attempt)] = []
        table.takeAll(into: &all)
        #expect(all.count == reference.count)
        #expect(Dictionary(uniqueKeysWithValues: all.map { ($0.0, $0.1.id) }) == reference.mapValues(\.id))
        #expect(table.count == 0)
        for (key, _) in all.prefix(50) { #expect(table[key] == nil) }
    }

    @Test func expiresIdleAttemptsOldestFirstAndKeepsTheRecentlySeen() throws {
        var table = AttemptTable()
        for index in 0..<100 {
            table.insert(
                Self.attempt(index + 1, at: Int64(index)), for: Self.key(client: UInt32(index), port: 5000), idle: 10)
        }
        // Attempt 1 is seen again at 50: it is filed again instead of leaving at 60.
        var seen = Self.attempt(1, at: 0)
        seen.lastSeen = 50
        let index = try #require(table.index(of: Self.key(client: 0, port: 5000)))
        table[at: index] = seen
        var expired: [(FlowKey, AttemptTable.Attempt)] = []
        table.takeExpired(now: 60, idle: 10, closed: 5, into: &expired)
        #expect(expired.map(\.1.id) == Array(2...50))
        #expect(table.count == 51 && table[Self.key(client: 0, port: 5000)]?.id == 1)
        expired.removeAll()
        table.takeOldest(3, into: &expired)
        #expect(expired.map(\.1.id) == [51, 52, 53])
        #expect(table.count == 48)
    }
}
