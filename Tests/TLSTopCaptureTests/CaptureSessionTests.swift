import Foundation
import Testing

@testable import TLSTopCapture
@testable import TLSTopCore

/// The capture thread with a file source: it publishes snapshots while reading and ends with the
/// same facts as a direct read.
@Suite struct CaptureSessionTests {
    static let fixture = PcapFileReaderTests.fixtures.appendingPathComponent("many-conns.pcap").path

    @Test func aFileSessionEndsWithTheSameSnapshotAsADirectRead() throws {
        let session = CaptureSession(
            source: try PcapFileReader(path: Self.fixture), analysis: TrafficAnalysis())
        session.start()
        let outcome = session.waitUntilFinished()
        #expect(outcome.error == nil)
        #expect(outcome.endOfInput)
        #expect(session.isFinished)
        let direct = try PcapFileReaderTests.facts("many-conns.pcap")
        #expect(outcome.snapshot.connections.count == direct.count)
        #expect(outcome.snapshot.connections.map(\.cipher) == direct.map(\.cipher))
        #expect(outcome.snapshot.source.kind == "file")
        // What readers see once the run is over is that last snapshot, not an earlier one.
        let published = try #require(session.snapshot)
        #expect(published.generatedAt == outcome.snapshot.generatedAt)
        #expect(published.statistics.packets == outcome.snapshot.statistics.packets)
        #expect(published.connections.count == direct.count)
    }

    @Test func stopEndsAPacedReplayEarly() throws {
        let reader = try PcapFileReader(path: Self.fixture)
        reader.realtime = true
        let session = CaptureSession(source: reader, analysis: TrafficAnalysis())
        let clock = ContinuousClock()
        let started = clock.now
        session.start()
        session.stop()
        let outcome = session.waitUntilFinished()
        #expect(clock.now - started < .seconds(2))
        #expect(!outcome.endOfInput)
    }

    @Test func aDamagedFileEndsTheSessionWithAnError() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-session-\(getpid()).pcap")
        try original.prefix(original.count / 2 + 7).write(to: cut)
        defer { try? FileManager.default.removeItem(at: cut) }
        let session = CaptureSession(
            source: try PcapFileReader(path: cut.path), analysis: TrafficAnalysis())
        session.start()
        let outcome = session.waitUntilFinished()
        #expect(outcome.error?.message.contains("is damaged after") == true)
        #expect(outcome.snapshot.connections.count > 0)
    }
}
