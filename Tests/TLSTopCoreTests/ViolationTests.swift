import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// Violations carry a typed code, are counted per tracker and reach the snapshot's statistics.
@Suite struct ViolationTests {
    @Test func aBadRecordHeaderIsCountedByItsCode() throws {
        let hello = try FlowTrackerTests.realClientHelloRecord()
        // A real hello, then bytes that cannot start a TLS record.
        let frames = [
            FrameBuilder.ipv4TCP(from: ("10.0.0.1", 50_000), to: ("10.0.0.2", 443), sequence: 1, flags: [.syn]),
            FrameBuilder.ipv4TCP(
                from: ("10.0.0.1", 50_000), to: ("10.0.0.2", 443), sequence: 2, flags: [.ack, .psh],
                payload: hello + [0x99, 0x03, 0x03, 0x00, 0x10]),
        ]
        let analysis = TrafficAnalysis()
        for frame in frames { analysis.ingest(raw: frame) }
        let snapshot = analysis.snapshot(source: .init(kind: "file", name: "t"), generatedAt: .zero)
        let connection = try #require(snapshot.connections.first)
        #expect(connection.violation?.code == .recordHeader)
        #expect(connection.violation?.description == "TLS record: invalid header")
        #expect(snapshot.statistics.violations == [.recordHeader: 1])
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(snapshot.json().utf8)) as? [String: Any])
        let statistics = try #require(json["stats"] as? [String: Any])
        #expect((statistics["violations"] as? [String: Int]) == ["record-header": 1])
    }

    @Test func aCleanCaptureHasNoViolationsMember() throws {
        let analysis = TrafficAnalysis()
        let json = analysis.snapshot(source: .init(kind: "file", name: "t"), generatedAt: .zero).json()
        #expect(!json.contains("\"violations\""))
    }

    /// A handshake message cut at every byte, and one over the cap, through the shared accumulator.
    @Test func theAccumulatorCompletesUnitsCutAnywhere() {
        let units: [[UInt8]] = [[0, 0, 2, 7, 7], [0, 0, 0], [0, 0, 1, 9]]
        let stream = units.flatMap { $0 }
        for cut in 0...stream.count {
            var accumulator = UnitAccumulator()
            var seen: [[UInt8]] = []
            for piece in [Array(stream.prefix(cut)), Array(stream.dropFirst(cut))] {
                let outcome = piece.withUnsafeBytes { bytes in
                    accumulator.feed(bytes) { header in
                        guard header.count >= 3 else { return .needMoreBytes }
                        return .bytes(3 + Int(header[2]))
                    } process: { unit in
                        seen.append(Array(unit))
                        return .next
                    }
                }
                guard case .needMoreBytes = outcome else {
                    Issue.record("cut at \(cut): \(outcome)")
                    break
                }
            }
            #expect(seen == units, "cut at \(cut)")
            #expect(accumulator.isEmpty)
        }
    }
}
