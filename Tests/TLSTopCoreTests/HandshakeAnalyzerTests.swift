import TestSupport
import Testing

@testable import TLSTopCore

/// The analyzer on real byte streams, fed whole, byte by byte, and in odd splits.
@Suite struct HandshakeAnalyzerTests {
    /// Every single-connection TCP capture (the multi-connection ones are covered through the tracker).
    static let fixtures = Fixtures.allPcapNames.filter {
        !$0.contains("many-conns") && !$0.contains("resumption") && !$0.contains("dns-udp")
            && !$0.contains("snmp") && !$0.contains("syslog") && !$0.contains("wireguard") && !$0.contains("esp")
            && !$0.contains("dtls") && !$0.contains("quic")
    }

    /// Facts that must not depend on how the bytes were chunked.
    struct Summary: Equatable {
        var version: String?
        var cipher: String?
        var group: String?
        var sni: String?
        var alpn: String?
        var offered: [CipherSuite]
        var established: Bool
        var resumed: Bool
        var chainLength: Int
        var subject: String?
        var alerts: Int
        var violation: String?
        var application: ApplicationFacts

        init(_ facts: HandshakeFacts) {
            version = facts.negotiatedVersion?.name
            cipher = facts.serverHello?.cipherSuite.name
            group = facts.group?.name
            sni = facts.clientHello?.serverName
            alpn = facts.serverHello?.alpnProtocol
            offered = facts.clientHello.map { Array($0.cipherSuites) } ?? []
            established = facts.isEstablished
            resumed = facts.isResumed
            chainLength = Int(facts.serverChainLength)
            subject = facts.serverCertificate?.subject
            alerts = facts.alerts.count
            violation = facts.violation?.description
            application = facts.application
        }
    }

    /// Replays the first connection's payloads in their real order, each cut into pieces of `chunk` bytes.
    static func run(_ fixture: PcapFixture, chunk: Int) throws -> HandshakeAnalyzer {
        var next: [Bool: UInt32] = [:]
        var analyzer: HandshakeAnalyzer?
        var ports: Set<UInt16> = []
        for (fromClient, packet, bytes) in try fixture.tcpPayloads() {
            if analyzer == nil {
                ports = [packet.sourcePort, packet.destinationPort]
                let serverPort = fromClient ? packet.destinationPort : packet.sourcePort
                let clientPort = fromClient ? packet.sourcePort : packet.destinationPort
                analyzer = HandshakeAnalyzer(serverPort: serverPort, clientPort: clientPort)
            }
            guard ports == [packet.sourcePort, packet.destinationPort], let analyzer else { continue }
            if packet.tcpFlags.contains(.syn) {
                next[fromClient] = packet.sequenceNumber &+ 1
                continue
            }
            guard !bytes.isEmpty, packet.sequenceNumber == next[fromClient] ?? packet.sequenceNumber else { continue }
            next[fromClient] = packet.sequenceNumber &+ UInt32(bytes.count)
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                bytes[start..<min(start + chunk, bytes.count)].withUnsafeBytes {
                    _ = analyzer.consume($0, from: fromClient ? .client : .server)
                }
            }
        }
        return try #require(analyzer)
    }

    @Test(arguments: fixtures)
    func byteByByteGivesTheSameFactsAsWhole(fixture: String) throws {
        let capture = try PcapFixture(contentsOf: Fixtures.pcap(fixture))
        let whole = Summary(try Self.run(capture, chunk: 1 << 20).facts)
        #expect(whole.violation == nil)
        for chunk in [1, 2, 3, 5, 7, 64, 1000] {
            let part = Summary(try Self.run(capture, chunk: chunk).facts)
            #expect(part == whole, "chunk \(chunk): \(part) vs \(whole)")
        }
    }

    static let directTLSFixtures = fixtures.filter {
        $0.hasPrefix("tls") || $0.hasPrefix("gnutls") || $0.hasPrefix("curl")
    }

    @Test(arguments: directTLSFixtures)
    func everyPrefixOfTheClientStreamIsHandledWithoutViolation(fixture: String) throws {
        let streams = try FixtureStreams(PcapFixture(contentsOf: Fixtures.pcap(fixture)))
        let firstRecordEnd = min(streams.client.count, 5 + (Int(streams.client[3]) << 8 | Int(streams.client[4])))
        for length in 0...firstRecordEnd {
            let analyzer = HandshakeAnalyzer()
            streams.client.prefix(length).withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
            #expect(analyzer.facts.violation == nil)
            #expect((analyzer.facts.clientHello != nil) == (length == firstRecordEnd))
        }
    }

    @Test func garbageAfterAValidRecordIsAViolationNotACrash() throws {
        let streams = try FixtureStreams(PcapFixture(contentsOf: Fixtures.pcap("tls13-x25519.pcap")))
        let analyzer = HandshakeAnalyzer()
        var bytes = streams.client
        let firstRecordEnd = 5 + (Int(bytes[3]) << 8 | Int(bytes[4]))
        bytes.replaceSubrange(firstRecordEnd..., with: [0x99, 0x03, 0x03, 0xFF, 0xFF, 0x00])
        let wanted = bytes.withUnsafeBytes { analyzer.consume($0, from: .client) }
        #expect(!wanted)
        #expect(analyzer.facts.clientHello != nil)
        #expect(analyzer.facts.violation != nil)
    }

    @Test func anOversizedHandshakeMessageIsRefusedByTheCap() {
        var limits = HandshakeAnalyzer.Limits()
        limits.maximumHandshakeMessage = 1000
        let analyzer = HandshakeAnalyzer(limits: limits)
        // A record carrying a Certificate message header that claims 1 MiB.
        let record: [UInt8] = [22, 3, 3, 0, 4, 11, 0x10, 0, 0]
        let wanted = record.withUnsafeBytes { analyzer.consume($0, from: .server) }
        #expect(!wanted)
        #expect(analyzer.facts.violation?.description.contains("exceeds") == true)
    }

    @Test func plaintextHTTPIsIdentified() {
        let analyzer = HandshakeAnalyzer()
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        request.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
        response.withUnsafeBytes { _ = analyzer.consume($0, from: .server) }
        #expect(analyzer.facts.application.protocolName == .http)
        #expect(analyzer.facts.clientHello == nil)
    }

    @Test func binaryThatIsNotTLSEndsAnalysisAtOnce() {
        let analyzer = HandshakeAnalyzer()
        let bytes: [UInt8] = [0x01, 0x02, 0x03, 0xFE, 0xFD]
        let wanted = bytes.withUnsafeBytes { analyzer.consume($0, from: .client) }
        #expect(!wanted)
        #expect(analyzer.isFinished(.client))
    }
}

/// The tracker end to end on synthetic TCP around real TLS bytes.
@Suite struct FlowTrackerTests {
    static let client = ("10.0.0.1", UInt16(50000))
    static let server = ("10.0.0.2", UInt16(443))

    static func realClientHelloRecord() throws -> [UInt8] {
        let streams = try FixtureStreams(PcapFixture(contentsOf: Fixtures.pcap("tls13-x25519.pcap")))
        let length = 5 + (Int(streams.client[3]) << 8 | Int(streams.client[4]))
        return Array(streams.client.prefix(length))
    }

    static func facts(_ tracker: TrafficAnalysis) throws -> ClientHello {
        let connection = try #require(tracker.connections.first)
        return try #require(connection.facts.clientHello)
    }

    /// Splits `payload` into `count` TCP segments starting at sequence `isn + 1`.
    static func segments(_ payload: [UInt8], count: Int, isn: UInt32) -> [[UInt8]] {
        let size = (payload.count + count - 1) / count
        return stride(from: 0, to: payload.count, by: size).map { offset in
            FrameBuilder.ipv4TCP(
                from: client, to: server, sequence: isn &+ 1 &+ UInt32(offset), flags: [.ack, .psh],
                payload: Array(payload[offset..<min(offset + size, payload.count)]))
        }
    }

    @Test func splitHelloOutOfOrderWithRetransmissionGivesTheSameFacts() throws {
        let hello = try Self.realClientHelloRecord()
        let isn: UInt32 = 0xFFFF_FF00  // wraps inside the hello
        let syn = FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: isn, flags: [.syn])

        let inOrder = TrafficAnalysis()
        inOrder.ingest(raw: syn)
        for frame in Self.segments(hello, count: 4, isn: isn) { inOrder.ingest(raw: frame) }

        let shuffled = TrafficAnalysis()
        shuffled.ingest(raw: syn)
        let parts = Self.segments(hello, count: 4, isn: isn)
        for index in [2, 0, 3, 0, 2, 1] { shuffled.ingest(raw: parts[index]) }

        #expect(try Self.facts(inOrder) == Self.facts(shuffled))
        #expect(try Self.facts(shuffled).serverName == "tlstop.test")
        #expect(shuffled.connections.count == 1)
    }

    @Test func aNewSYNOnAReusedTupleStartsANewConnection() throws {
        let tracker = TrafficAnalysis()
        let request = Array("GET / HTTP/1.1\r\n".utf8)
        tracker.ingest(raw: FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: 100, flags: [.syn]))
        tracker.ingest(raw: FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: 100, flags: [.syn]))
        #expect(tracker.connections.isEmpty, "no payload yet: an attempt")
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(
                from: Self.client, to: Self.server, sequence: 101, flags: [.ack, .psh], payload: request))
        #expect(tracker.connections.count == 1)
        #expect(tracker.connections.first?.clientPackets == 3, "the attempt's SYNs count with it")
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: 120, flags: [.fin, .ack]))
        tracker.ingest(raw: FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: 9000, flags: [.syn]))
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(
                from: Self.client, to: Self.server, sequence: 9001, flags: [.ack, .psh], payload: request))
        #expect(tracker.connections.count == 2)
        let second = try #require(tracker.connections.last)
        #expect(second.clientPackets == 2)
        #expect(second.id != tracker.connections.first?.id)
    }

    @Test func withoutASYNTheClientHelloSenderIsTheClient() throws {
        let hello = try Self.realClientHelloRecord()
        let tracker = TrafficAnalysis()
        // Mid-capture: the server's ACK arrives first, and the client uses a port below 1024.
        let lowPortClient = ("10.0.0.1", UInt16(800))
        let highPortServer = ("10.0.0.2", UInt16(8443))
        tracker.ingest(raw: FrameBuilder.ipv4TCP(from: highPortServer, to: lowPortClient, sequence: 5, flags: [.ack]))
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(
                from: lowPortClient, to: highPortServer, sequence: 77, flags: [.ack], payload: hello))
        let connection = try #require(tracker.connections.first)
        #expect(connection.client.port == 800)
        #expect(connection.server.port == 8443)
        #expect(connection.facts.clientHello?.serverName == "tlstop.test")
    }

    @Test func aSYNWithoutPayloadIsAnAttemptCountedOnItsHostNotAConnection() throws {
        let tracker = TrafficAnalysis()
        tracker.ingest(raw: FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: 1, flags: [.syn]))
        tracker.ingest(
            raw: FrameBuilder.ipv4TCP(from: Self.server, to: Self.client, sequence: 0, flags: [.rst, .ack]), at: 1000)
        #expect(tracker.connections.isEmpty)
        #expect(tracker.tracker.activeAttemptCount == 1)
        tracker.finish()
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: "t"), generatedAt: .zero)
        #expect(snapshot.connections.isEmpty)
        let host = try #require(snapshot.hosts.first)
        #expect(host.host == Self.server.0 && host.port == Int(Self.server.1))
        #expect(host.attempts == 1 && host.refusedAttempts == 1 && host.connections == 0)
        #expect(snapshot.totals.attempts == 1 && snapshot.totals.refusedAttempts == 1)
        #expect(snapshot.statistics.endedAttempts == 1 && snapshot.statistics.connections == 1)
    }

    @Test func classifiedConnectionsOnlyCountPackets() throws {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap("tls12-ecdhe-rsa.pcap"))
        let tracker = fixture.track()
        let connection = try #require(tracker.connections.first)
        #expect(connection.isClassified)
        let before = connection.clientPackets
        // Replaying the whole capture again only adds to the counters.
        for frame in fixture.frames {
            frame.bytes.withUnsafeBytes {
                tracker.ingest(
                    frame: $0, linkType: fixture.linkType, wireLength: frame.wireLength,
                    timestamp: frame.timestamp)
            }
        }
        #expect(connection.clientPackets > before)
        #expect(tracker.connections.count >= 1)
    }

    @Test func truncatedAndMalformedFramesAreCountedNotFatal() {
        let tracker = TrafficAnalysis()
        let good = FrameBuilder.ipv4TCP(from: Self.client, to: Self.server, sequence: 1, flags: [.syn])
        for length in 0..<good.count { tracker.ingest(raw: Array(good.prefix(length))) }
        var badHeader = good
        badHeader[0] = 0x43  // IHL 3 words
        tracker.ingest(raw: badHeader)
        #expect(tracker.statistics.truncatedPackets + tracker.statistics.malformedPackets == good.count + 1)
        #expect(tracker.connections.isEmpty)
    }
}

@Suite struct SSLv2HelloTests {
    /// An SSLv2-format CLIENT-HELLO offering TLS 1.0 (as old clients sent), built to the SSL 2.0 spec:
    /// two SSLv2 cipher specs and two TLS suites (0x00 prefix), no session id, 16-byte challenge.
    static let hello: [UInt8] = {
        let specs: [UInt8] = [0x01, 0x00, 0x80, 0x07, 0x00, 0xC0, 0x00, 0x00, 0x04, 0x00, 0x00, 0x2F]
        var body: [UInt8] = [1, 0x03, 0x01, 0, UInt8(specs.count), 0, 0, 0, 16]
        body += specs + [UInt8](repeating: 0xAB, count: 16)
        return [0x80 | UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }()

    @Test func sslv2FormatHelloOffersItsTLSSuites() throws {
        let analyzer = HandshakeAnalyzer()
        for byte in Self.hello { [byte].withUnsafeBytes { _ = analyzer.consume($0, from: .client) } }
        let hello = try #require(analyzer.facts.clientHello)
        #expect(hello.isSSLv2Format)
        #expect(hello.legacyVersion == .tls10)
        #expect(hello.cipherSuites.map(\.rawValue) == [0x0004, 0x002F])
        #expect(analyzer.facts.violation == nil)
    }

    @Test func everyPrefixOfTheSSLv2HelloIsIncompleteNotAViolation() {
        for length in 0..<Self.hello.count {
            let analyzer = HandshakeAnalyzer()
            Self.hello.prefix(length).withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
            #expect(analyzer.facts.clientHello == nil)
            #expect(analyzer.facts.violation == nil)
        }
    }

    @Test func aBadChallengeLengthIsAViolation() {
        var bad = Self.hello
        bad[10] = 3  // challenge length 3 (< 16)
        let analyzer = HandshakeAnalyzer()
        bad.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
        #expect(analyzer.facts.violation != nil)
    }
}

@Suite struct CertificateCacheTests {
    @Test func aServerCertificateIsDecodedOncePerDistinctDER() throws {
        let tracker = try PcapFixture(contentsOf: Fixtures.pcap("many-conns.pcap")).track()
        let withCertificate = tracker.connections.filter { $0.facts.serverCertificate != nil }
        #expect(withCertificate.count >= 5)
        #expect(tracker.certificates.misses == 1)
        #expect(tracker.certificates.hits == withCertificate.count - 1)
    }

    @Test func theCacheIsBounded() throws {
        let cache = CertificateCache(capacity: 2)
        for index in 0..<10 { _ = cache.facts(for: [0x30, 0x03, 0x02, 0x01, UInt8(index)]) }
        #expect(cache.misses == 10)
        _ = cache.facts(for: [0x30, 0x03, 0x02, 0x01, 9])
        #expect(cache.hits == 1)
    }
}

@Suite struct ExpiryAndRetentionTests {
    /// A SYN that carries a byte (TCP Fast Open): a connection from its first packet, where a
    /// bare SYN would only be an attempt.
    static func syn(_ port: UInt16, to server: String = "10.0.0.2", at seconds: Int64) -> ([UInt8], Int64) {
        (
            FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", port), to: (server, 443), sequence: 1, flags: [.syn], payload: [0x47]),
            seconds * 1_000_000_000
        )
    }

    @Test func idleAndClosedConnectionsLeaveTheActiveTable() {
        let tracker = TrafficAnalysis()
        let (first, t0) = Self.syn(40_000, at: 0)
        tracker.ingest(raw: first, at: t0)
        let fin = FrameBuilder.ipv4TCP(
            from: ("10.0.0.1", 40_001), to: ("10.0.0.2", 443), sequence: 1, flags: [.fin, .ack, .psh], payload: [0x47])
        tracker.ingest(raw: fin, at: 1_000_000_000)
        #expect(tracker.activeConnectionCount == 2)
        // 10 s later the closed one is gone (linger 5 s), the idle one stays (120 s).
        let (third, t1) = Self.syn(40_002, at: 10)
        tracker.ingest(raw: third, at: t1)
        #expect(tracker.activeConnectionCount == 2)
        #expect(tracker.statistics.expiredConnections == 1)
        let (fourth, t2) = Self.syn(40_003, at: 200)
        tracker.ingest(raw: fourth, at: t2)
        #expect(tracker.activeConnectionCount == 1)
        #expect(tracker.statistics.expiredConnections == 3)
        // Expired connections are still reported.
        #expect(tracker.connections.count == 4)
    }

    @Test func aConnectionThatKeepsTalkingIsNeverExpired() {
        let tracker = TrafficAnalysis()
        // Filed for expiry at 120 s, seen every 60 s: each time its second comes it is filed again.
        for minute in 0...10 {
            let frame = FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", 40_000), to: ("10.0.0.2", 443), sequence: 1,
                flags: minute == 0 ? [.syn] : [.ack], payload: minute == 0 ? [0x47] : [])
            tracker.ingest(raw: frame, at: Int64(minute) * 60_000_000_000)
        }
        #expect(tracker.activeConnectionCount == 1)
        #expect(tracker.statistics.expiredConnections == 0)
        // Silent from 600 s on: gone once 120 s have passed, not before.
        let (other, _) = Self.syn(40_001, at: 0)
        tracker.ingest(raw: other, at: 719_000_000_000)
        #expect(tracker.statistics.expiredConnections == 0)
        let (late, _) = Self.syn(40_002, at: 0)
        tracker.ingest(raw: late, at: 722_000_000_000)
        #expect(tracker.statistics.expiredConnections == 1)
        #expect(tracker.activeConnectionCount == 2)
    }

    @Test func aClosedConnectionLeavesAfterTheLingerNotTheIdleTimeout() {
        let tracker = TrafficAnalysis()
        let (first, t0) = Self.syn(40_000, at: 0)
        tracker.ingest(raw: first, at: t0)
        let fin = FrameBuilder.ipv4TCP(
            from: ("10.0.0.1", 40_000), to: ("10.0.0.2", 443), sequence: 1, flags: [.fin, .ack])
        tracker.ingest(raw: fin, at: 30_000_000_000)
        let (other, t1) = Self.syn(40_001, at: 36)
        tracker.ingest(raw: other, at: t1)
        #expect(tracker.statistics.expiredConnections == 1)
        #expect(tracker.activeConnectionCount == 1)
    }

    @Test func evictedFlowsDoNotPileUpInTheExpiryWheel() {
        var configuration = TrafficAnalysis.Configuration()
        configuration.tracker.maximumConnections = 64
        let tracker = TrafficAnalysis(configuration: configuration)
        // 100k SYNs in 10 s: the table stays at 64 and so must what waits for expiry.
        for index in 0..<100_000 {
            let frame = FrameBuilder.ipv4TCP(
                from: ("10.\(index >> 16 & 0xFF).\(index >> 8 & 0xFF).\(index & 0xFF)", 1000), to: ("10.0.0.2", 443),
                sequence: 1, flags: [.syn], payload: [0x16])
            tracker.ingest(raw: frame, at: Int64(index) * 100_000)
        }
        #expect(tracker.activeConnectionCount <= 64)
        #expect(tracker.pendingExpiryEntries <= 2 * 64 + 4096)
    }

    @Test func aFullTableEvictsTheIdlestAndCountsThem() {
        var configuration = TrafficAnalysis.Configuration()
        configuration.tracker.maximumConnections = 32
        let tracker = TrafficAnalysis(configuration: configuration)
        for index in 0..<200 {
            let (frame, time) = Self.syn(UInt16(30_000 + index), at: Int64(index) / 1000)
            tracker.ingest(raw: frame, at: time)
        }
        #expect(tracker.activeConnectionCount <= 32)
        #expect(tracker.statistics.evictedConnections >= 168)
        #expect(tracker.statistics.connections == 200)
    }

    @Test func finishedConnectionsBeyondRetentionAreFoldedIntoHosts() throws {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.maximumRetainedConnections = 100
        let tracker = TrafficAnalysis(configuration: configuration)
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        for index in 0..<2000 {
            let port = UInt16(20_000 + index)
            let time = Int64(index) * 100_000_000  // 10 connections a second
            tracker.ingest(
                raw: FrameBuilder.ipv4TCP(from: ("10.0.0.1", port), to: ("10.0.0.9", 80), sequence: 1, flags: [.syn]),
                at: time)
            tracker.ingest(
                raw: FrameBuilder.ipv4TCP(
                    from: ("10.0.0.1", port), to: ("10.0.0.9", 80), sequence: 2, flags: [.ack, .psh, .fin],
                    payload: request),
                at: time + 1)
        }
        #expect(tracker.connections.count <= 100 + 100 / 8 + 64)
        #expect(tracker.statistics.foldedConnections > 1500)
        let snapshot = tracker.snapshot(source: .init(kind: "file", name: ""), generatedAt: .zero)
        let host = try #require(snapshot.hosts.first)
        #expect(snapshot.hosts.count == 1)
        #expect(host.connections == 2000)
        #expect(host.plaintextConnections == 2000)
        #expect(host.findingCounts[FindingID(rawValue: "plaintext")] == 2000)
        #expect(host.grade == .f)
    }
}
