import TestSupport
import Testing

@testable import TLSTopCore

/// Host rows and totals merge: what a sharded read relies on.
@Suite struct HostTableTests {
    static func records(_ name: String) throws -> [ConnectionRecord] {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        return fixture.track().snapshot(source: .init(kind: "file", name: name), generatedAt: .zero).connections
    }

    @Test func twoTablesMergedGiveTheRowsOfOneTableOfEverything() throws {
        let records = try Self.records("demo.pcap")
        #expect(records.count > 10)
        var first = HostTable()
        var second = HostTable()
        var firstTotals = ConnectionTotals()
        var secondTotals = ConnectionTotals()
        var allTotals = ConnectionTotals()
        for (index, record) in records.enumerated() {
            if index % 3 == 0 {
                first.add(record)
                firstTotals.add(record)
            } else {
                second.add(record)
                secondTotals.add(record)
            }
            allTotals.add(record)
        }
        first.merge(second)
        firstTotals.merge(secondTotals)
        #expect(first.snapshots() == HostTable.rows(of: records))
        #expect(firstTotals == allTotals)
    }

    /// QUIC and DTLS run a TLS handshake: a host reached only over them is graded on it (not
    /// "no TLS connections"), while a host with SSH alone still has no TLS to grade.
    @Test(arguments: ["quic-v1.pcap", "quic-v2.pcap", "dtls12-openssl.pcap"])
    func hostsReachedOverQUICOrDTLSAreGradedOnTheirTLS(name: String) throws {
        let rows = HostTable.rows(of: try Self.records(name))
        let graded = rows.filter { $0.tlsConnections > 0 }
        #expect(!graded.isEmpty)
        for row in graded {
            #expect(row.grade == .a, "\(row.host)")
            #expect(row.gradeReason == "no warn or critical findings; not every connection is post-quantum")
        }
        let ssh = HostTable.rows(of: try Self.records("enc-ssh.pcap"))
        #expect(!ssh.isEmpty)
        #expect(ssh.allSatisfy { $0.gradeReason == "no TLS connections" })
    }

    @Test func aHostKeepsItsLowestAddressesWhateverTheOrder() {
        let key = HostKey(name: .serverName("many.example"), port: 443)
        let addresses = (1...40).map { IPAddress(ipv4: 0xC000_0200 | UInt32($0)) }
        var forward = HostSnapshot(key: key, firstSeen: .zero)
        var backward = HostSnapshot(key: key, firstSeen: .zero)
        for address in addresses { forward.remember(address) }
        for address in addresses.reversed() { backward.remember(address) }
        forward.remember(addresses[3])
        #expect(forward.addresses == Array(addresses.prefix(HostTable.maximumAddressesPerHost)))
        #expect(backward.addresses == forward.addresses)
    }

    @Test func statisticsAddUp() {
        var first = TrafficStatistics()
        first.packets = 3
        first.violations[.recordHeader] = 1
        first.kernelDropped = 2
        var second = TrafficStatistics()
        second.packets = 4
        second.violations[.recordHeader] = 2
        first.merge(second)
        #expect(first.packets == 7)
        #expect(first.violations[.recordHeader] == 3)
        #expect(first.kernelDropped == 2)
    }
}
