import Foundation
import Testing

@testable import TLSTopCore
@testable import TLSTopUI

/// The host row's key-exchange and PFS cells and the header, computed from typed records and
/// exact totals rather than guessed from names.
@Suite struct KeyExchangeAndTotalsViewTests {
    static func hostLine(_ screen: Screen, containing name: String) throws -> String {
        try #require(screen.text.split(separator: "\n").first { $0.contains(name) }.map(String.init))
    }

    @Test func anFFDHEGroupReadsAsDHEOnScreenAndInTheExport() throws {
        let snapshot = try DashboardRendererTests.snapshot(["policy-ffdhe.pcap"])
        let connection = try #require(snapshot.connections.first { $0.group == .ffdhe2048 })
        #expect(connection.keyExchange == .dhe)
        let screen = DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 60)
        let line = try Self.hostLine(screen, containing: connection.hostName)
        #expect(line.contains("DHE ffdhe2048"))
        #expect(!line.contains("ECDHE"), "\(line)")
        #expect(snapshot.json().contains(#""group":"ffdhe2048","kex":"dhe""#))
    }

    @Test func aCurveReadsAsECDHE() throws {
        let snapshot = try DashboardRendererTests.snapshot(["tls13-x25519.pcap"])
        let connection = try #require(snapshot.connections.first)
        #expect(connection.keyExchange == .ecdhe)
        #expect(Format.keyExchange(group: connection.group, cipher: connection.cipher) == "ECDHE x25519")
        #expect(Format.keyExchange(group: nil, cipher: CipherSuite(rawValue: 0x002F)) == "RSA (static)")
        #expect(Format.keyExchange(group: .x25519MLKEM768, cipher: nil) == "X25519MLKEM768")
    }

    /// TCP and QUIC to the same name and port are one host row: its PFS share counts both in the
    /// numerator and the denominator (it read 200% when only `tls` was the denominator).
    @Test func aHostWithTCPAndQUICOnOnePortShowsAPFSShareOfAtMostAHundredPercent() throws {
        var snapshot = try DashboardRendererTests.snapshot(["tls13-x25519.pcap", "quic-v1.pcap"])
        #expect(Set(snapshot.connections.map(\.protocol)) == [.tls, .quic])
        for index in snapshot.connections.indices {
            snapshot.connections[index].sni = "both.test"
            snapshot.connections[index].server.port = 443
        }
        snapshot.hosts = HostTable.rows(of: snapshot.connections)
        let host = try #require(snapshot.hosts.first)
        #expect(snapshot.hosts.count == 1)
        #expect(host.tlsConnections == 2 && host.pfsConnections == 2)
        let screen = DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 60)
        let line = try Self.hostLine(screen, containing: "both.test")
        #expect(line.contains("100%"), "\(line)")
        #expect(!line.contains("200%"), "\(line)")
    }

    /// Past the retention cap most connections are only counted in host rows: the header still
    /// counts every one of them, as the totals, the host rows and the batch summary do.
    @Test func theHeaderCountsEveryConnectionPastTheRetentionCap() throws {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.maximumRetainedConnections = 2
        let snapshot = try DashboardRendererTests.snapshot(DashboardRendererTests.mix, configuration: configuration)
        let totals = snapshot.totals
        #expect(snapshot.statistics.foldedConnections > 0)
        #expect(snapshot.connections.count < totals.connections)
        #expect(totals.connections == snapshot.hosts.reduce(0) { $0 + $1.connections })
        let full = try DashboardRendererTests.snapshot(DashboardRendererTests.mix)
        #expect(full.totals == totals, "the cap changes what is listed, never what is counted")
        let header = DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 60).text
            .split(separator: "\n")[1]
        #expect(header.contains("\(Format.grouped(totals.connections)) connections"), "\(header)")
        #expect(header.contains("critical \(totals.severities[.critical] ?? 0)"), "\(header)")
        #expect(header.contains("warn \(totals.severities[.warn] ?? 0)"), "\(header)")
        #expect(header.contains("plaintext \(totals.plaintext)"), "\(header)")
        #expect(totals.plaintext > 0 && (totals.severities[.critical] ?? 0) > 0)
    }
}

@Suite struct AttemptViewTests {
    @Test func aHostUnderASYNFloodShowsItsAttemptsInTheHeaderAndTheDetail() throws {
        let analysis = TrafficAnalysis()
        for index in 0..<300 {
            let frame = FrameBuilderLite.syn(from: (UInt32(0x0A00_0000 + index), UInt16(1024 + index)), to: 0xC000_0201)
            frame.withUnsafeBytes {
                analysis.ingest(
                    frame: $0, linkType: .raw, wireLength: frame.count,
                    timestamp: Timestamp(nanoseconds: Int64(index) * 1_000_000))
            }
        }
        analysis.finish()
        let snapshot = analysis.snapshot(source: .init(kind: "file", name: "flood"), generatedAt: .zero)
        #expect(snapshot.totals.attempts == 300 && snapshot.connections.isEmpty)
        let screen = DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 60).text
        #expect(screen.contains("0 connections (+300 attempts)"))
        #expect(screen.contains("Attempts without payload 300  refused 0"))
    }
}

/// A bare IPv4 SYN (raw link type), for tests of this target.
enum FrameBuilderLite {
    static func syn(from source: (UInt32, UInt16), to destination: UInt32) -> [UInt8] {
        func be32(_ value: UInt32) -> [UInt8] {
            [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        let ip: [UInt8] = [0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0] + be32(source.0) + be32(destination)
        let tcp: [UInt8] =
            [UInt8(source.1 >> 8), UInt8(source.1 & 0xFF), 0x01, 0xBB] + be32(1000) + be32(0)
            + [0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
        return ip + tcp
    }
}
