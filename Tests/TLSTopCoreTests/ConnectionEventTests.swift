import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// The tracker's reports (what the event stream and metrics count) and the event documents.
@Suite struct ConnectionEventTests {
    static func reports(
        _ name: String, configuration: TrafficAnalysis.Configuration = .init(), atEnd: Bool = true
    ) throws -> (reports: [ConnectionRecord], tracker: TrafficAnalysis) {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap(name))
        let tracker = TrafficAnalysis(configuration: configuration)
        var reports: [ConnectionRecord] = []
        tracker.onReport = { reports.append($0) }
        for frame in fixture.frames {
            frame.bytes.withUnsafeBytes {
                tracker.ingest(
                    frame: $0, linkType: fixture.linkType, wireLength: frame.wireLength, timestamp: frame.timestamp)
            }
        }
        if atEnd { tracker.finish() }
        return (reports, tracker)
    }

    @Test(arguments: Fixtures.allPcapNames)
    func everyClassifiedConnectionIsReportedOnceWithTheSnapshotsFacts(name: String) throws {
        let (reports, tracker) = try Self.reports(name)
        let final = tracker.snapshot(source: .init(kind: "file", name: name), generatedAt: .zero)
        let classified = final.connections.filter { $0.protocol != .unknown }
        #expect(Set(reports.map(\.id)) == Set(classified.map(\.id)), "\(name): every classified connection, no other")
        #expect(Set(reports.map(\.id)).count == reports.count, "no connection twice")
        for report in reports {
            let later = try #require(final.connections.first { $0.id == report.id })
            // What the handshake said does not change after classification; counters do.
            #expect(report.protocol == later.protocol && report.version == later.version)
            #expect(report.cipher == later.cipher && report.group == later.group && report.sni == later.sni)
            #expect(report.findings.map(\.id) == later.findings.map(\.id), "\(name) #\(report.id)")
            #expect(report.certificate == later.certificate)
        }
    }

    @Test func aTLSConnectionIsReportedWhenItsHandshakeEndsNotWhenTheCaptureEnds() throws {
        let (reports, tracker) = try Self.reports("tls13-x25519.pcap", atEnd: false)
        let report = try #require(reports.first)
        let final = ConnectionJudge.record(of: try #require(tracker.connections.first), policy: .intermediate)
        #expect(report.established == true)
        #expect(report.packets < final.packets, "reported before its last packets")
    }

    @Test func aLongClearTextSessionIsReportedBeforeItEnds() throws {
        var configuration = TrafficAnalysis.Configuration()
        configuration.tracker.plaintextReportDelay = .zero
        let (reports, tracker) = try Self.reports("plain-telnet-login.pcap", configuration: configuration, atEnd: false)
        let report = try #require(reports.first)
        #expect(report.protocol == .plaintext)
        let final = ConnectionJudge.record(of: try #require(tracker.connections.first), policy: .intermediate)
        #expect(report.packets < final.packets)
        // With the default delay (10 s of session) it comes later, or at the end of the run.
        let later = try Self.reports("plain-telnet-login.pcap").reports
        #expect(later.count == 1 && later[0].packets > report.packets)
    }

    @Test func flowsWithoutPayloadAreNeverReported() throws {
        let tracker = TrafficAnalysis()
        var reports: [ConnectionRecord] = []
        tracker.onReport = { reports.append($0) }
        for port in UInt16(40000)..<40100 {
            tracker.ingest(
                raw: FrameBuilder.ipv4TCP(from: ("10.0.0.1", port), to: ("10.0.0.2", 443), sequence: 1, flags: .syn),
                at: Int64(port) * 1_000_000)
        }
        tracker.sweep(now: Timestamp(nanoseconds: 1_000_000_000_000))  // all expire
        tracker.finish()
        #expect(tracker.statistics.endedAttempts == 100)
        #expect(tracker.connections.isEmpty)
        #expect(reports.isEmpty)
    }

    @Test func eventLinesAreSingleLinesWhateverTheNamesHold() throws {
        let (reports, _) = try Self.reports("tls13-x25519.pcap")
        var connection = try #require(reports.first)
        connection.sni = "evil\n{\"injected\":true}\u{2028}\u{1B}[31m"
        let context = ConnectionEvent.Context(policy: "intermediate", observerHostName: "sensor\r\n", version: "t")
        let lines = ConnectionEvent.lines(for: connection, context: context)
        #expect(lines.count == 1 + connection.findings.count)
        for line in lines {
            #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((object["destination"] as? [String: Any])?["domain"] as? String == connection.sni)
        }
    }

    @Test(arguments: [
        (ProtocolVersion.tls12, "tls", "1.2"), (.tls13, "tls", "1.3"), (.sslv3, "ssl", "3.0"), (.sslv2, "ssl", "2.0"),
        (.dtls12, "dtls", "1.2"), (ProtocolVersion(rawValue: 0x7F17), "tls", "1.3-draft-23"),
    ])
    func versionsSplitAsECSWantsThem(version: ProtocolVersion, protocolName: String, number: String) {
        let parts = version.ecsParts
        #expect(parts?.protocol == protocolName && parts?.version == number)
    }

    @Test func greaseVersionsHaveNoECSReading() {
        #expect(ProtocolVersion(rawValue: 0x0A0A).ecsParts == nil)
    }
}

/// A process lookup that answers only when told to.
final class ScriptedLookup: ProcessLookup, @unchecked Sendable {
    var requests: [ProcessLookupRequest] = []
    var ready: [ProcessLookupAnswer] = []
    func lookUp(_ request: ProcessLookupRequest) { requests.append(request) }
    func takeAnswers(into answers: inout [ProcessLookupAnswer]) {
        answers += ready
        ready = []
    }
}

@Suite struct HeldReportTests {
    static func track(_ lookup: ScriptedLookup) throws -> (TrafficAnalysis, () -> [ConnectionRecord]) {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap("tls13-x25519.pcap"))
        let tracker = TrafficAnalysis()
        tracker.localAddresses = []  // loopback: the server end is local, an inbound connection
        tracker.processLookup = lookup
        let box = Box()
        tracker.onReport = { box.reports.append($0) }
        for frame in fixture.frames {
            frame.bytes.withUnsafeBytes {
                tracker.ingest(
                    frame: $0, linkType: fixture.linkType, wireLength: frame.wireLength, timestamp: frame.timestamp)
            }
        }
        return (tracker, { box.reports })
    }

    final class Box { var reports: [ConnectionRecord] = [] }

    @Test func aClassifiedConnectionWaitsForItsProcessSoTheEventNamesIt() throws {
        let lookup = ScriptedLookup()
        let (tracker, reports) = try Self.track(lookup)
        let request = try #require(lookup.requests.first)
        #expect(request.isTCP && request.local.address.isLoopback)
        #expect(reports().isEmpty, "held while the lookup runs")
        let nginx = LocalProcess(pid: 812, name: "nginx", user: "www-data", unit: "nginx.service", state: .found)
        lookup.ready = [ProcessLookupAnswer(id: request.id, process: nginx)]
        tracker.applyProcessAnswers()
        #expect(reports().count == 1)
        #expect(reports().first?.localProcess == nginx && reports().first?.direction == .inbound)
        tracker.finish()
        #expect(reports().count == 1, "once")
    }

    @Test func aLookupThatNeverAnswersDoesNotLoseTheReport() throws {
        let lookup = ScriptedLookup()
        let (tracker, reports) = try Self.track(lookup)
        #expect(reports().isEmpty)
        tracker.finish()
        #expect(reports().count == 1 && reports().first?.localProcess == nil)
    }
}
