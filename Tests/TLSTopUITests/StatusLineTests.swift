import Foundation
import Testing

@testable import TLSTopCore
@testable import TLSTopUI

/// What the dashboard says about the run itself: problems on the status line and under `!`, the
/// read progress in the header, and a title line that keeps what the user set at 80 columns.
@Suite struct StatusLineTests {
    static func lines(_ screen: Screen) -> [String] { screen.text.split(separator: "\n").map(String.init) }

    @Test func theLatestProblemStaysOnTheStatusLineAndBangListsThemAll() throws {
        var snapshot = try DashboardRendererTests.snapshot(["many-conns.pcap"])
        snapshot.statistics.evictedConnections = 12
        snapshot.statistics.malformedPackets = 3
        var log = ProblemLog()
        log.update(CaptureProblem.all(in: snapshot))
        #expect(log.all.map(\.kind) == [.limitsReached, .undecodable])
        // Of two problems that appear together, the more serious is the latest.
        #expect(log.latest?.kind == .limitsReached)

        // The capture then ends on an error: that is the news, and it outranks the rest.
        let damage = "capture file 'x.pcap' is damaged after 144 packets: the last record claims 74 bytes"
        log.update(CaptureProblem.all(in: snapshot, endedWith: damage))
        #expect(log.latest == .inputFailed(damage))
        #expect(log.all.first == .inputFailed(damage))

        let renderer = DashboardRenderer()
        let context = DashboardRenderer.Context(endOfFile: true, problems: log)
        let screen = renderer.render(snapshot, state: DashboardState(), width: 120, height: 40, context: context)
        let footer = try #require(Self.lines(screen).last)
        #expect(footer.hasPrefix(" ✖ capture file 'x.pcap' is damaged after 144 packets"), "\(footer)")
        #expect(footer.contains("(! all 3 problems)"))
        #expect(Self.lines(screen).first?.contains("stopped on an error — q to quit") == true)

        // A key's own message wins the line until the next key; then the problem is back.
        var controller = DashboardController()
        controller.reportStatus("theme: light")
        let withStatus = renderer.render(snapshot, state: controller.state, width: 120, height: 40, context: context)
        #expect(Self.lines(withStatus).last?.hasPrefix(" theme: light") == true)

        _ = controller.handle(.character("!"), snapshot: snapshot)
        #expect(controller.state.showProblems)
        let listed = Self.lines(
            renderer.render(snapshot, state: controller.state, width: 120, height: 40, context: context)
        ).joined(separator: "\n")
        #expect(listed.contains("Problems"))
        #expect(listed.contains("damaged after 144 packets"))
        #expect(listed.contains("limits reached: 12 connections and 0 hosts evicted"))
        #expect(listed.contains("undecodable packets: 0 truncated, 3 malformed"))
        // Esc closes the list and leaves the view alone.
        _ = controller.handle(.escape, snapshot: snapshot)
        #expect(!controller.state.showProblems)
        _ = controller.handle(.character("w"), snapshot: snapshot)
        _ = controller.handle(.character("!"), snapshot: snapshot)
        #expect(controller.state.showProblems)
        _ = controller.handle(.escape, snapshot: snapshot)
        #expect(!controller.state.showProblems)
        #expect(controller.state.weakOnly)
    }

    @Test func noProblemsMeansTheKeysOnTheStatusLine() throws {
        let snapshot = try DashboardRendererTests.snapshot(["many-conns.pcap"])
        var log = ProblemLog()
        log.update(CaptureProblem.all(in: snapshot))
        #expect(log.all.isEmpty)
        #expect(log.latest == nil)
        let screen = DashboardRenderer().render(
            snapshot, state: DashboardState(), width: 120, height: 40, context: .init(problems: log))
        #expect(Self.lines(screen).last?.hasPrefix(" ↑↓ move") == true)
    }

    @Test func aProblemThatGoesAwayLeavesTheStatusLine() {
        var log = ProblemLog()
        log.update([.attributionOff("off: --no-processes")])
        #expect(log.latest == .attributionOff("off: --no-processes"))
        log.update([])
        #expect(log.latest == nil)
        // A count that grows is news again.
        log.update([.probesFailed(count: 1, last: "refused"), .undecodable(truncated: 1, malformed: 0, untracked: 0)])
        log.update([.probesFailed(count: 2, last: "timeout"), .undecodable(truncated: 1, malformed: 0, untracked: 0)])
        #expect(log.latest == .probesFailed(count: 2, last: "timeout"))
    }

    @Test func theHeaderShowsHowFarAFileHasBeenRead() throws {
        var meter = ProgressMeter()
        let first = meter.sample(bytes: 0, totalBytes: 1_000_000, packets: 0, atSeconds: 0)
        #expect(first == ReadingProgress(fraction: 0, packets: 0))
        let later = meter.sample(bytes: 250_000, totalBytes: 1_000_000, packets: 5000, atSeconds: 1)
        #expect(later.fraction == 0.25)
        #expect(later.packetsPerSecond == 5000)
        #expect(later.secondsLeft == 3)
        #expect(later.text == "reading 25% · 5.0k pkts · 5.0k pkt/s · 0:03 left")
        // A pipe has no size: packets and rate only.
        var pipe = ProgressMeter()
        _ = pipe.sample(bytes: 0, totalBytes: nil, packets: 0, atSeconds: 0)
        #expect(
            pipe.sample(bytes: 10, totalBytes: nil, packets: 2_000_000, atSeconds: 2).text
                == "reading · 2.0M pkts · 1.0M pkt/s")

        let snapshot = try DashboardRendererTests.snapshot(["many-conns.pcap"])
        let screen = DashboardRenderer().render(
            snapshot, state: DashboardState(), width: 120, height: 40, context: .init(progress: later))
        let title = try #require(Self.lines(screen).first)
        #expect(title.contains("reading 25% · 5.0k pkts · 5.0k pkt/s · 0:03 left"), "\(title)")
    }

    @Test func at80ColumnsTheTitleKeepsFilterFocusAndProgress() throws {
        var snapshot = try DashboardRendererTests.snapshot(["many-conns.pcap"])
        snapshot.source.name = "/var/tmp/captures/a-rather-long-capture-file-name.pcapng"
        snapshot.processAttribution = "off: --no-processes"
        var controller = DashboardController()
        let port = try #require(snapshot.hosts.first?.port)
        for character in "/port:\(port)" { _ = controller.handle(.character(character), snapshot: snapshot) }
        _ = controller.handle(.enter, snapshot: snapshot)
        _ = controller.handle(.enter, snapshot: snapshot)
        let focus = try #require(controller.state.focusedHost)
        let progress = ReadingProgress(fraction: 0.5, packets: 1000, packetsPerSecond: 2000, secondsLeft: 1)
        let context = DashboardRenderer.Context(uptimeSeconds: 42, packetsPerSecond: 2000, progress: progress)
        let wide = try #require(
            Self.lines(
                DashboardRenderer().render(snapshot, state: controller.state, width: 200, height: 60, context: context)
            )
            .first)
        #expect(wide.contains("policy: intermediate"), "\(wide)")
        #expect(wide.contains("reading 50% · 1.0k pkts · 2.0k pkt/s · 0:01 left"), "\(wide)")
        let narrow = try #require(
            Self.lines(
                DashboardRenderer().render(snapshot, state: controller.state, width: 80, height: 24, context: context)
            )
            .first)
        #expect(DisplayWidth.of(narrow) == 80)
        #expect(narrow.contains("filter: port:\(port)"), "\(narrow)")
        #expect(narrow.contains("focus: \(focus.label)"), "\(narrow)")
        #expect(narrow.contains("reading 50% 0:01 left"), "\(narrow)")
        // What went to make room: the least important parts.
        #expect(!narrow.contains("processes off"))
    }

    @Test func cipherNamesAreShortInThePanesAndWholeInTheDetail() throws {
        #expect(Format.shortCipher(name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") == "ECDHE-RSA-AES128-GCM-SHA256")
        #expect(Format.shortCipher(name: "TLS_AES_256_GCM_SHA384") == "AES256-GCM-SHA384")
        #expect(Format.shortCipher(name: "TLS_CHACHA20_POLY1305_SHA256") == "CHACHA20-POLY1305-SHA256")
        #expect(Format.shortCipher(name: "TLS_RSA_WITH_3DES_EDE_CBC_SHA") == "RSA-3DES-EDE-CBC-SHA")
        #expect(Format.shortCipher(name: "TLS_RSA_WITH_RC4_128_MD5") == "RSA-RC4-MD5")
        #expect(Format.shortCipher(name: "TLS_DH_anon_WITH_AES_256_CBC_SHA256") == "ADH-AES256-CBC-SHA256")
        #expect(Format.shortCipher(name: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8") == "ECDHE-ECDSA-AES128-CCM8")
        #expect(Format.shortCipher(name: "0x1234") == "0x1234")
        // Every registered suite gets a name without underscores, shorter than the IANA one,
        // and no two suites share one.
        let names = CipherSuite.allKnown.filter { !$0.isSignalingValue }.map { ($0.name, Format.shortCipher($0)) }
        #expect(names.count > 300)
        for (long, short) in names {
            #expect(!short.contains("_") && short.count < long.count, "\(long) → \(short)")
        }
        let collisions = Dictionary(grouping: names, by: \.1).filter { $0.value.count > 1 }
        #expect(collisions.isEmpty, "\(collisions)")

        let snapshot = try DashboardRendererTests.snapshot(["many-conns.pcap"])
        var state = DashboardState()
        state.pane = .connections
        let text = DashboardRenderer().render(snapshot, state: state, width: 120, height: 40).text
        let cipher = try #require(snapshot.connections.last?.cipher)
        // At 120 columns the recent-connections row shows the whole short name.
        let row = try #require(text.split(separator: "\n").first { $0.contains("tlstop.test:") && $0.hasPrefix("│") })
        #expect(row.contains(Format.shortCipher(cipher) + " "), "\(row)")
        // The detail pane (the selected connection) names it as IANA does.
        #expect(text.contains(cipher.name))
    }
}
