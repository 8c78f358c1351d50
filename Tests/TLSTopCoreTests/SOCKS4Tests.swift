import TestSupport
import Testing

@testable import TLSTopCore

/// SOCKS4 and SOCKS4a (the de-facto protocol of NEC's SOCKS 4 and its 4A extension): the request,
/// the 8-byte answer, then the tunnel's TLS, a real handshake (tls12-ecdhe-rsa.pcap's bytes).
/// Hand-built: no Debian client speaks only SOCKS4 to a server that could be captured here.
@Suite struct SOCKS4Tests {
    static func conversation(request: [UInt8], reply: [UInt8]) throws -> [[UInt8]] {
        let client = TCPPatternTests.client
        let server = TCPPatternTests.server
        let clientISN: UInt32 = 1000
        let serverISN: UInt32 = 9000
        var frames = [
            TCPPatternTests.syn(clientISN), TCPPatternTests.synAck(serverISN, answering: clientISN),
            TCPPatternTests.ack(clientISN, serverISN),
            FrameBuilder.ipv4TCP(
                from: client, to: server, sequence: clientISN + 1, acknowledgment: serverISN + 1,
                flags: [.ack, .psh], payload: request),
            FrameBuilder.ipv4TCP(
                from: server, to: client, sequence: serverISN + 1,
                acknowledgment: clientISN + 1 + UInt32(request.count), flags: [.ack, .psh], payload: reply),
        ]
        if reply.count > 1, reply[1] == 90 {
            frames += try TCPPatternTests.exchange(
                clientISN: clientISN + UInt32(request.count), serverISN: serverISN + UInt32(reply.count))
        }
        return frames
    }

    @Test func aSOCKS4aTunnelCarriesItsTLS() throws {
        // VN 4, CONNECT, port 8443, 0.0.0.1 (4a: a name follows), user id "alice", host name.
        let request: [UInt8] =
            [4, 1, 0x20, 0xFB, 0, 0, 0, 1] + Array("alice".utf8) + [0] + Array("tlstop.test".utf8) + [0]
        let granted: [UInt8] = [0, 90, 0, 0, 0, 0, 0, 0]
        let records = TCPPatternTests.records(try Self.conversation(request: request, reply: granted)).connections
        TCPPatternTests.expectTLS12(records, "SOCKS4a")
        let tls = try #require(records.first)
        #expect(tls.tunnel?.kind == .socks4)
        #expect(tls.tunnel?.target == "tlstop.test:8443")
        #expect(tls.application == nil)
        #expect(!tls.startTLSOffered)
    }

    @Test func aSOCKS4TunnelNamesItsAddress() throws {
        let request: [UInt8] = [4, 1, 0x01, 0xBB, 192, 0, 2, 7, 0]
        let granted: [UInt8] = [0, 90, 0, 0, 0, 0, 0, 0]
        let records = TCPPatternTests.records(try Self.conversation(request: request, reply: granted)).connections
        TCPPatternTests.expectTLS12(records, "SOCKS4")
        #expect(records.first?.tunnel?.target == "192.0.2.7:443")
    }

    @Test func aRejectedRequestIsClearTextWithoutATunnel() throws {
        let request: [UInt8] = [4, 1, 0x01, 0xBB, 192, 0, 2, 7, 0]
        let rejected: [UInt8] = [0, 91, 0, 0, 0, 0, 0, 0]
        let records = TCPPatternTests.records(try Self.conversation(request: request, reply: rejected)).connections
        let connection = try #require(records.first)
        #expect(connection.protocol == .plaintext)
        #expect(connection.application == .socks4)
        #expect(connection.tunnel == nil)
        #expect(!connection.findings.contains { $0.id == .starttlsNotUsed })
    }

    @Test func recognitionWaitsForTheWholeRequestAndRejectsOthers() {
        let whole: [UInt8] = [4, 1, 0x01, 0xBB, 0, 0, 0, 1, 0, 0x61, 0]
        for cut in 0..<whole.count {
            let verdict = Array(whole.prefix(cut)).withUnsafeBytes { TunnelObserver.isSOCKS4Request($0) }
            #expect(verdict == nil, "cut at \(cut)")
        }
        #expect(whole.withUnsafeBytes { TunnelObserver.isSOCKS4Request($0) } == true)
        #expect((whole + [1]).withUnsafeBytes { TunnelObserver.isSOCKS4Request($0) } == false)
        #expect([4, 3, 0, 0].withUnsafeBytes { TunnelObserver.isSOCKS4Request($0) } == false)
        let endless = [UInt8]([4, 1, 0, 80, 1, 2, 3, 4]) + [UInt8](repeating: 0x61, count: 300)
        #expect(endless.withUnsafeBytes { TunnelObserver.isSOCKS4Request($0) } == false)
    }
}
