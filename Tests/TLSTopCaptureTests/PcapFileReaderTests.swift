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

    /// Runs gzip on `data` (the system's tool: real gzip framing, not our own).
    static func gzip(_ data: Data, arguments: [String] = ["-c", "-n"]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return result
    }

    static func temporary(_ data: Data, name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-\(UUID().uuidString)-\(name)")
        try data.write(to: url)
        return url
    }

    static func records(at url: URL) throws -> [ConnectionRecord] {
        let reader = try PcapFileReader(path: url.path)
        let analysis = TrafficAnalysis()
        try reader.read(into: analysis)
        return analysis.snapshot(source: .init(kind: "file", name: url.lastPathComponent), generatedAt: .zero)
            .connections
    }

    /// A compressed capture gives exactly the connections of the original, whatever its name
    /// says, and so does a file of several gzip members (`gzip -c a >> b`).
    @Test(arguments: ["many-conns.pcap", "tls12-ecdhe-rsa.pcapng"])
    func gzipCompressedCapturesReadLikeTheOriginal(name: String) throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        let expected = try Self.facts(name)
        #expect(!expected.isEmpty)
        let compressed = try Self.gzip(original)
        #expect(compressed.prefix(2) == Data([0x1F, 0x8B]))
        for fileName in [name + ".gz", "capture.bin"] {
            let url = try Self.temporary(compressed, name: fileName)
            defer { try? FileManager.default.removeItem(at: url) }
            let got = try Self.records(at: url)
            #expect(got.map(\.client) == expected.map(\.client), "\(fileName)")
            #expect(got.map(\.version) == expected.map(\.version), "\(fileName)")
            #expect(got.map(\.cipher) == expected.map(\.cipher), "\(fileName)")
            #expect(got.map(\.packets) == expected.map(\.packets), "\(fileName)")
        }
        // Two members: the first half of the file, then the rest, each compressed on its own.
        let half = original.count / 2
        let members = try Self.gzip(original.prefix(half)) + Self.gzip(original.suffix(from: half))
        let url = try Self.temporary(members, name: "members.gz")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try Self.records(at: url).map(\.packets) == expected.map(\.packets))
    }

    @Test func damagedGzipIsAOneLineErrorAfterWhatCouldBeRead() throws {
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("many-conns.pcap"))
        let compressed = try Self.gzip(original)
        for damaged in [compressed.prefix(compressed.count / 2), compressed.prefix(11)] {
            let url = try Self.temporary(Data(damaged), name: "cut.pcap.gz")
            defer { try? FileManager.default.removeItem(at: url) }
            var message = ""
            let analysis = TrafficAnalysis()
            do throws(CaptureError) {
                try PcapFileReader(path: url.path).read(into: analysis)
            } catch {
                message = error.message
            }
            #expect(message.contains(url.path), "names the file: \(message)")
            #expect(message.contains("gzip"), "says it is the compression: \(message)")
            #expect(!message.contains("\n"))
        }
        var flipped = compressed
        flipped[compressed.count / 2] ^= 0xFF
        let url = try Self.temporary(flipped, name: "flipped.pcap.gz")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: CaptureError.self) { try PcapFileReader(path: url.path).read(into: TrafficAnalysis()) }
    }

    /// The committed compressed fixtures (`derive-realworld.py`) give exactly the connections of
    /// the captures they were compressed from, `rw-gzip-noext.cap` by content alone.
    @Test(arguments: ["rw-tls13-x25519.pcap.gz", "rw-tls12-ecdhe-rsa.pcapng.gz", "rw-gzip-noext.cap"])
    func committedCompressedCapturesMatchTheirSources(name: String) throws {
        let manifest = try #require(
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: Self.fixtures.deletingLastPathComponent()
                        .appendingPathComponent("fixtures-derived-realworld.json"))) as? [String: [String: Any]])
        let source = try #require(manifest[name]?["derived_from"] as? String)
        let expected = try Self.facts(source)
        let got = try Self.facts(name)
        #expect(!got.isEmpty)
        #expect(got.map(\.client) == expected.map(\.client))
        #expect(got.map(\.version) == expected.map(\.version))
        #expect(got.map(\.cipher) == expected.map(\.cipher))
        #expect(got.map(\.sni) == expected.map(\.sni))
        #expect(got.map(\.packets) == expected.map(\.packets))
    }

    /// What libpcap refused ("an interface has a snapshot length different from the first"):
    /// `mergecap` of three link types reads whole, and a filter applies to each interface's frames.
    @Test func aMergedCaptureOfSeveralLinkTypesReadsAndFilters() throws {
        let reader = try PcapFileReader(path: Self.fixtures.appendingPathComponent("rw-merged-linktypes.pcapng").path)
        let analysis = TrafficAnalysis()
        try reader.read(into: analysis)
        #expect(reader.linkTypeName == "EN10MB,LINUX_SLL2,RAW")
        let all = analysis.snapshot(source: .init(kind: "file", name: "merged"), generatedAt: .zero).connections
        let parts = try ["tls12-ecdhe-rsa.pcap", "tls13-any-sll2.pcap", "tls13-x25519.pcap"].flatMap {
            try Self.facts($0)
        }
        #expect(Set(all.map(\.client.port)) == Set(parts.map(\.client.port)))
        #expect(all.count == 3)
        for part in parts {
            let filtered = try Self.facts("rw-merged-linktypes.pcapng", filter: "tcp port \(part.client.port)")
            #expect(filtered.map(\.client.port) == [part.client.port])
            #expect(filtered.first?.packets == part.packets)
        }
    }
}
