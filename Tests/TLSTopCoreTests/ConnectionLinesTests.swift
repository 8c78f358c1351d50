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
    }
}
