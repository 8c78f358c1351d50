import Foundation
import Testing

@testable import TLSTopCapture
@testable import TLSTopCore

/// libpcap reading of every link type the derive script produces, pcapng included.
@Suite struct PcapFileReaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pcaps")

    static func facts(_ name: String, filter: String? = nil) throws -> [ConnectionRecord] {
        let reader = try PcapFileReader(path: fixtures.appendingPathComponent(name).path, filter: filter)
        let tracker = TrafficAnalysis()
        try reader.read(into: tracker)
        return tracker.snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
            .connections
    }

    static let variants = [
        ("tls12-ecdhe-rsa.raw.pcap", LinkType.raw), ("tls12-ecdhe-rsa.null.pcap", .null),
        ("tls12-ecdhe-rsa.sll.pcap", .linuxSLL), ("tls12-ecdhe-rsa.vlan.pcap", .ethernet),
        ("tls12-ecdhe-rsa.qinq.pcap", .ethernet), ("tls12-ecdhe-rsa.pcapng", .ethernet),
        ("tls13-any-sll2.pcap", .linuxSLL2), ("tls13-ipv6.pcap", .ethernet),
    ]

    @Test(arguments: variants)
    func everyLinkTypeDecodesToTheSameFacts(name: String, linkType: LinkType) throws {
        let reader = try PcapFileReader(path: Self.fixtures.appendingPathComponent(name).path)
        #expect(reader.linkType == linkType)
        let connections = try Self.facts(name)
        let tls = try #require(connections.first { $0.protocol == .tls })
        #expect(tls.sni == "tlstop.test")
        #expect(tls.version != nil)
        #expect(tls.cipher != nil)
        if name.hasPrefix("tls12-ecdhe-rsa") {
            let original = try #require(try Self.facts("tls12-ecdhe-rsa.pcap").first)
            #expect(tls.version == original.version)
            #expect(tls.cipher == original.cipher)
            #expect(tls.group == original.group)
            #expect(tls.packets == original.packets)
        }
    }

    @Test func ipv6AddressesAreReported() throws {
        let tls = try #require(try Self.facts("tls13-ipv6.pcap").first)
        #expect(tls.client.address.description == "::1")
        #expect(tls.server.address.description == "::1")
    }

    @Test func aFilterSelectsTraffic() throws {
        #expect(try Self.facts("many-conns.pcap", filter: "udp").isEmpty)
        let all = try Self.facts("many-conns.pcap")
        let one = try #require(all.first)
        let filtered = try Self.facts("many-conns.pcap", filter: "tcp port \(one.client.port)")
        #expect(filtered.count == 1)
        #expect(filtered.first?.client.port == one.client.port)
    }

    @Test func aBadFilterIsAOneLineError() throws {
        let path = Self.fixtures.appendingPathComponent("tls13-x25519.pcap").path
        #expect {
            try PcapFileReader(path: path, filter: "tcp port nonsense and")
        } throws: { error in
            let message = (error as? CaptureError)?.message ?? ""
            return message.hasPrefix("invalid capture filter 'tcp port nonsense and'") && !message.contains("\n")
        }
    }

    @Test func aMissingFileNamesTheFile() {
        #expect {
            try PcapFileReader(path: "/nonexistent/x.pcap")
        } throws: { error in
            (error as? CaptureError)?.message.hasPrefix("cannot read capture file '/nonexistent/x.pcap'") == true
        }
    }

    @Test func aTruncatedFileIsReadAsFarAsPossibleThenReported() throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("many-conns.pcap"))
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-cut-\(getpid()).pcap")
        try original.prefix(original.count * 2 / 3 + 5).write(to: cut)
        defer { try? FileManager.default.removeItem(at: cut) }
        let reader = try PcapFileReader(path: cut.path)
        let tracker = TrafficAnalysis()
        #expect {
            try reader.read(into: tracker)
        } throws: { error in
            (error as? CaptureError)?.message.contains("is damaged after") == true
        }
        #expect(tracker.statistics.packets > 0)
        #expect(tracker.connections.count > 1)
    }
}
