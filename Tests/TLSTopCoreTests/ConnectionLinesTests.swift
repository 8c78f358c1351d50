import TestSupport
import Testing

@testable import TLSTopCore

/// An export's connection lines rendered on two cores read as the serial rendering does.
@Suite struct ConnectionLinesTests {
    @Test(arguments: ["demo.pcap", "tls12-ecdhe-rsa.pcap", "policy-psk-ke.pcap"])
    func parallelBlocksGiveTheSerialText(name: String) throws {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        let snapshot = fixture.track().snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
        #expect(!snapshot.connections.isEmpty)
        let serial = snapshot.json(linesPerBlock: Int.max / 4)
        #expect(serial == snapshot.json())
        for block in [1, 2, 3, 5] {
            #expect(snapshot.json(linesPerBlock: block) == serial, "blocks of \(block) lines")
        }
        // Distinct certificates and offers found in two halves, then joined, as in one pass.
        #expect(snapshot.json(linesPerBlock: 2, halvingAt: 2) == serial)
    }

    /// Certificates and offers seen first in the second half come after those of the first, in
    /// the order the second half shows them; the ones both halves share keep their first place.
    @Test func distinctValuesJoinedFromHalvesAreNumberedInOrderOfFirstAppearance() throws {
        let fixtures = ["tls12-ecdhe-rsa.pcap", "policy-rsa1024.pcap", "policy-sha1-cert.pcap"]
        var records: [ConnectionRecord] = []
        for name in fixtures {
            let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
            let snapshot = fixture.track().snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
            records += snapshot.connections.filter { $0.clientOffer != nil && $0.certificate != nil }.prefix(1)
        }
        try #require(records.count == 3)
        // a b a c b c: split after the third, the second half first shows c, then b's place.
        let sequence = [0, 1, 0, 2, 1, 2].map { records[$0] }
        let serial = DistinctValues(of: sequence, halvingAt: Int.max)
        let halved = DistinctValues(of: sequence, halvingAt: 2)
        #expect(serial.certificates.values.count == 3)
        #expect(halved.certificates.values == serial.certificates.values)
        #expect(halved.offers.values == serial.offers.values)
        #expect(halved.references.map(\.certificate) == serial.references.map(\.certificate))
        #expect(halved.references.map(\.offer) == serial.references.map(\.offer))
        #expect(serial.references.map(\.certificate) == [0, 1, 0, 2, 1, 2])
    }
}
