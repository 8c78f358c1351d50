import TestSupport
import Testing

@testable import TLSTopCore

/// TCP as stacks write it when the capture has more than one SYN or SYN-ACK for a connection:
/// variants no stack on this machine makes on demand, built around a real TLS 1.2 handshake
/// (tls12-ecdhe-rsa.pcap's bytes). The real captures of these patterns are in
/// fixtures-realworld.json (make-realworld-fixtures.sh).
@Suite struct TCPPatternTests {
    static let client = ("10.0.0.1", UInt16(50_123))
    static let server = ("10.0.0.2", UInt16(443))

    /// The fixture's handshake bytes, one segment per direction change, numbered from the ISNs.
    static func exchange(clientISN: UInt32, serverISN: UInt32) throws -> [[UInt8]] {
        let streams = try FixtureStreams(PcapFixture(contentsOf: Fixtures.pcap("tls12-ecdhe-rsa.pcap")))
        let clientHelloLength = 5 + (Int(streams.client[3]) << 8 | Int(streams.client[4]))
        let clientHello = Array(streams.client.prefix(clientHelloLength))
        let clientRest = Array(streams.client.dropFirst(clientHelloLength))
        var frames: [[UInt8]] = []
        frames.append(
            FrameBuilder.ipv4TCP(
                from: client, to: server, sequence: clientISN &+ 1, acknowledgment: serverISN &+ 1,
                flags: [.ack, .psh], payload: clientHello))
        var offset = 0
        while offset < streams.server.count {
            let piece = Array(streams.server[offset..<min(offset + 1400, streams.server.count)])
            frames.append(
                FrameBuilder.ipv4TCP(
                    from: server, to: client, sequence: serverISN &+ 1 &+ UInt32(offset),
                    acknowledgment: clientISN &+ 1 &+ UInt32(clientHelloLength), flags: [.ack, .psh], payload: piece))
            offset += piece.count
        }
        frames.append(
            FrameBuilder.ipv4TCP(
                from: client, to: server, sequence: clientISN &+ 1 &+ UInt32(clientHelloLength),
                acknowledgment: serverISN &+ 1 &+ UInt32(streams.server.count), flags: [.ack, .psh],
                payload: clientRest))
        return frames
    }

    static func syn(_ isn: UInt32) -> [UInt8] {
        FrameBuilder.ipv4TCP(from: client, to: server, sequence: isn, flags: [.syn])
    }
    static func synAck(_ isn: UInt32, answering clientISN: UInt32) -> [UInt8] {
        FrameBuilder.ipv4TCP(
            from: server, to: client, sequence: isn, acknowledgment: clientISN &+ 1, flags: [.syn, .ack])
    }
    static func ack(_ clientISN: UInt32, _ serverISN: UInt32) -> [UInt8] {
        FrameBuilder.ipv4TCP(
            from: client, to: server, sequence: clientISN &+ 1, acknowledgment: serverISN &+ 1, flags: [.ack])
    }

    static func records(_ frames: [[UInt8]]) -> (connections: [ConnectionRecord], attempts: Int) {
        let analysis = TrafficAnalysis()
        for (index, frame) in frames.enumerated() { analysis.ingest(raw: frame, at: Int64(index) * 1_000_000) }
        analysis.finish()
        let snapshot = analysis.snapshot(source: .init(kind: "file", name: "t"), generatedAt: .zero)
        return (snapshot.connections, snapshot.hosts.map(\.attempts).reduce(0, +))
    }

    static func expectTLS12(_ records: [ConnectionRecord], _ label: Comment) {
        let tls = records.filter { $0.protocol == .tls }
        #expect(tls.count == 1, label)
        #expect(tls.first?.version == .tls12, label)
        #expect(tls.first?.cipher?.name == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", label)
        #expect(tls.first?.gap == false, label)
    }

    @Test func aPlainHandshakeIsTheBaseline() throws {
        let frames =
            [Self.syn(1000), Self.synAck(9000, answering: 1000), Self.ack(1000, 9000)]
            + (try Self.exchange(clientISN: 1000, serverISN: 9000))
        Self.expectTLS12(Self.records(frames).connections, "baseline")
    }

    /// A server (SYN cookies, a load balancer) repeats its SYN-ACK with another ISN; the client
    /// answers the first. The latest SYN-ACK is not the stream's start: the client's ACK says which.
    @Test func aSYNACKRepeatedWithAnotherISNIsResolvedByTheClientsACK() throws {
        let first: UInt32 = 0x1000_0000
        let second: UInt32 = 0x9000_0000
        let frames =
            [
                Self.syn(1000), Self.synAck(first, answering: 1000), Self.synAck(second, answering: 1000),
                Self.ack(1000, first),
            ]
            + (try Self.exchange(clientISN: 1000, serverISN: first))
        Self.expectTLS12(Self.records(frames).connections, "ACK names the first SYN-ACK")
        // Without the bare ACK in the capture, the ClientHello's acknowledgment says it.
        let lost =
            [Self.syn(1000), Self.synAck(first, answering: 1000), Self.synAck(second, answering: 1000)]
            + (try Self.exchange(clientISN: 1000, serverISN: first))
        Self.expectTLS12(Self.records(lost).connections, "the hello's ACK names it")
    }

    /// The client gives up on a SYN and sends another with a new ISN from the same port.
    @Test func aSYNRetriedWithAnotherISNStartsTheConnectionAgain() throws {
        let frames =
            [
                Self.syn(1000), Self.syn(0x7000_0000), Self.synAck(9000, answering: 0x7000_0000),
                Self.ack(0x7000_0000, 9000),
            ]
            + (try Self.exchange(clientISN: 0x7000_0000, serverISN: 9000))
        let (connections, attempts) = Self.records(frames)
        Self.expectTLS12(connections, "second SYN")
        #expect(attempts == 1, "the abandoned SYN is an attempt of its own")
    }

    /// A SYN answered by a reset, a stray ACK and its reset, then a new SYN and a full handshake
    /// on the same 4-tuple: two attempts and one TLS connection.
    @Test func aReusedTupleAfterResetsIsANewConnection() throws {
        let reset = FrameBuilder.ipv4TCP(
            from: Self.server, to: Self.client, sequence: 0, acknowledgment: 1001, flags: [.rst, .ack])
        let stray = FrameBuilder.ipv4TCP(
            from: Self.client, to: Self.server, sequence: 5555, acknowledgment: 7777, flags: [.ack])
        let strayReset = FrameBuilder.ipv4TCP(from: Self.server, to: Self.client, sequence: 7777, flags: [.rst])
        let frames =
            [
                Self.syn(1000), reset, stray, strayReset, Self.syn(0x4000_0000),
                Self.synAck(9000, answering: 0x4000_0000),
                Self.ack(0x4000_0000, 9000),
            ]
            + (try Self.exchange(clientISN: 0x4000_0000, serverISN: 9000))
        let (connections, attempts) = Self.records(frames)
        Self.expectTLS12(connections, "after resets")
        #expect(attempts == 2)
    }

    /// TCP Fast Open: the ClientHello in the SYN, the SYN-ACK acknowledging it.
    @Test func aClientHelloInTheSYNIsRead() throws {
        var frames = try Self.exchange(clientISN: 1000, serverISN: 9000)
        let hello = frames.removeFirst()
        let helloPayload = Array(hello.dropFirst(40))
        let synWithData = FrameBuilder.ipv4TCP(
            from: Self.client, to: Self.server, sequence: 1000, flags: [.syn], payload: helloPayload)
        let synAck = FrameBuilder.ipv4TCP(
            from: Self.server, to: Self.client, sequence: 9000, acknowledgment: 1001 &+ UInt32(helloPayload.count),
            flags: [.syn, .ack])
        Self.expectTLS12(Self.records([synWithData, synAck] + frames).connections, "TFO accepted")
        // Ignored: the SYN-ACK acknowledges only the SYN and the client sends the hello again.
        let ignoring = Self.synAck(9000, answering: 1000)
        Self.expectTLS12(Self.records([synWithData, ignoring, hello] + frames).connections, "TFO ignored")
    }

    /// An acknowledgment a little ahead is lost data, not another SYN: the stream stays put.
    @Test func onlyAFarAcknowledgmentMovesAStreamsStart() {
        var stream = TCPReassembler()
        _ = stream.acceptSYN(sequence: 5000)
        stream.realign(toAcknowledgment: 5001 + 1448)
        #expect(stream.nextSequence == 5001)
        stream.realign(toAcknowledgment: 0x8000_0001)
        #expect(stream.nextSequence == 0x8000_0001)
        #expect(stream.initialSequence == 0x8000_0000)
        var delivered = TCPReassembler()
        _ = delivered.acceptSYN(sequence: 5000)
        [UInt8](repeating: 1, count: 10).withUnsafeBytes { bytes in
            _ = delivered.accept(sequence: 5001, payload: bytes, declaredLength: 10) { _ in true }
        }
        delivered.realign(toAcknowledgment: 0x8000_0001)
        #expect(delivered.nextSequence == 5011, "bytes were delivered: the start is known")
    }
}
