import Foundation
import Testing

@testable import TLSTopCore
@testable import TLSTopUI

/// The dashboard rendered from fixed snapshots into the in-memory screen, compared with golden text
/// and role maps. Regenerate after an intended change with
/// `TLSTOP_UPDATE_GOLDEN=1 swift test --filter DashboardRendererTests` and review the diff.
@Suite struct DashboardRendererTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let pcaps = tests.appendingPathComponent("Fixtures/pcaps")
    static let golden = tests.appendingPathComponent("Fixtures/golden-screens")

    /// A mix of good, weak and clear-text traffic from the committed captures.
    static let mix = [
        "http-plain.pcap", "tls10-ecdhe.pcap", "tls12-rsa-static.pcap", "tls13-x25519.pcap",
        "policy-expired-cert.pcap", "starttls-smtp-refused.pcap", "plain-ftp-login.pcap", "tls12-dhe-1024.pcap",
        "gnutls-tls13.pcap", "many-conns.pcap",
    ]

    static func snapshot(
        _ names: [String] = mix, configuration: TrafficAnalysis.Configuration = .init()
    ) throws -> Snapshot {
        let tracker = TrafficAnalysis(configuration: configuration)
        for name in names {
            let data = [UInt8](try Data(contentsOf: pcaps.appendingPathComponent(name)))
            try Classic.feed(data, into: tracker)
        }
        return tracker.snapshot(source: .init(kind: "file", name: "mix.pcap"), generatedAt: .zero)
    }

    static func compare(_ screen: Screen, _ name: String) throws {
        let textURL = golden.appendingPathComponent(name + ".txt")
        let rolesURL = golden.appendingPathComponent(name + ".roles")
        if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            try screen.text.write(to: textURL, atomically: true, encoding: .utf8)
            try screen.roles.write(to: rolesURL, atomically: true, encoding: .utf8)
        }
        #expect(screen.text == (try String(contentsOf: textURL, encoding: .utf8)), "\(name) text")
        #expect(screen.roles == (try String(contentsOf: rolesURL, encoding: .utf8)), "\(name) roles")
    }

    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func screensMatchGolden(width: Int, height: Int) throws {
        let screen = DashboardRenderer().render(
            try Self.snapshot(), state: DashboardState(), width: width, height: height,
            context: .init(uptimeSeconds: 3725, packetsPerSecond: 8200))
        try Self.compare(screen, "mix-\(width)x\(height)")
        let lines = screen.text.split(separator: "\n")
        #expect(lines.count == height)
        #expect(lines.allSatisfy { DisplayWidth.of($0) == width })
    }

    /// The same screens through two themes, as SGR-colored text.
    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func themedScreensMatchGolden(width: Int, height: Int) throws {
        let screen = DashboardRenderer().render(
            try Self.snapshot(), state: DashboardState(), width: width, height: height,
            context: .init(uptimeSeconds: 3725, packetsPerSecond: 8200))
        for name in ["dark", "monochrome"] {
            let theme = try #require(BuiltInThemes.theme(named: name))
            let url = Self.golden.appendingPathComponent("mix-\(width)x\(height).\(name).ansi")
            let rendered = screen.ansi(theme: theme)
            if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_GOLDEN"] != nil {
                try rendered.write(to: url, atomically: true, encoding: .utf8)
            }
            #expect(rendered == (try String(contentsOf: url, encoding: .utf8)), "\(name) \(width)x\(height)")
        }
    }

    @Test func theWorstHostsComeFirstAndAreHighlighted() throws {
        let view = DashboardRenderer.view(of: try Self.snapshot(), state: DashboardState())
        let severities = view.hosts.map(\.severity)
        #expect(severities == severities.sorted(by: >))
        #expect(view.hosts.first?.severity == .critical)
        let screen = DashboardRenderer().render(try Self.snapshot(), state: DashboardState(), width: 120, height: 40)
        // Row 4 is the first host row: critical role and the ✖ marker, so color is never alone.
        let row = (0..<120).map { screen[$0, 4] }
        #expect(row.contains { $0.role == .critical || $0.role == .selected })
        #expect(screen.text.split(separator: "\n")[4].contains("✖"))
    }

    @Test func aHostileServerNameIsShownEscaped() throws {
        var snapshot = try Self.snapshot(["tls13-x25519.pcap"])
        snapshot.connections[0].sni = "evil\u{1B}[2J\u{7}.test"
        snapshot.hosts = HostTable.rows(of: snapshot.connections)
        var state = DashboardState()
        state.pane = .connections
        let screen = DashboardRenderer().render(snapshot, state: state, width: 120, height: 40)
        #expect(!screen.text.contains("\u{1B}"))
        #expect(!screen.text.contains("\u{7}"))
        #expect(screen.text.contains("evil\\x1b[2J\\x07.test"))
    }

    @Test func theScreenNeverHoldsAControlCharacterWhateverItIsGiven() {
        var screen = Screen(width: 40, height: 1)
        screen.put("a\u{1B}[2Jb\u{7}c\u{9B}d\u{202E}e\u{2028}f\r\n", x: 0, y: 0, role: .normal)
        let scalars = screen.cells.flatMap { $0.text.unicodeScalars }
        #expect(!scalars.contains { TerminalText.isControl($0) || TerminalText.isBidirectionalOverride($0) })
        #expect(screen.text.hasPrefix("a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f"))
    }

    @Test func wideCharactersAreCutOnCellBoundaries() {
        var screen = Screen(width: 10, height: 1)
        screen.put("日本語のホスト名", x: 0, y: 0, role: .normal, limit: 6)
        #expect(screen.text == "日本…     \n")
        #expect(DisplayWidth.of(String(screen.text.dropLast())) == 10)
        #expect(DisplayWidth.truncate("abcdef", to: 4) == "abc…")
        #expect(DisplayWidth.truncate("abc", to: 4) == "abc")
    }

    @Test func aSmallTerminalGetsAClearMessage() {
        let screen = DashboardRenderer().render(
            Snapshot(
                generatedAt: .zero, source: .init(kind: "file", name: "x"), statistics: .init(), connections: [],
                hosts: []),
            state: DashboardState(), width: 60, height: 20)
        #expect(screen.text.hasPrefix("tlstop needs at least 80x24 (now 60x20)"))
    }

    @Test func filterFocusAndWeakOnlyNarrowEveryPane() throws {
        let snapshot = try Self.snapshot()
        var state = DashboardState()
        state.filter = ConnectionFilter("proto:plaintext")
        var view = DashboardRenderer.view(of: snapshot, state: state)
        #expect(!view.connections.isEmpty && view.connections.allSatisfy { $0.protocol == .plaintext })
        #expect(!view.hosts.isEmpty && view.hosts.allSatisfy { $0.plaintextConnections > 0 })

        // A port that has a weak connection, and a severity: both terms must hold.
        let weakPort = try #require(snapshot.connections.first { $0.severity >= .warn }?.server.port)
        state.filter = ConnectionFilter("port:\(weakPort) sev:warn")
        view = DashboardRenderer.view(of: snapshot, state: state)
        #expect(!view.connections.isEmpty)
        #expect(view.connections.allSatisfy { $0.server.port == weakPort || $0.client.port == weakPort })
        #expect(view.connections.allSatisfy { $0.severity >= .warn })
        let unfilteredOnPort = snapshot.connections.filter { $0.server.port == weakPort }.count
        #expect(view.connections.count <= unfilteredOnPort)

        state.filter = ConnectionFilter("127.0.0.0/8")
        #expect(DashboardRenderer.view(of: snapshot, state: state).connections.count == snapshot.connections.count)
        state.filter = ConnectionFilter("10.0.0.0/8")
        #expect(DashboardRenderer.view(of: snapshot, state: state).connections.isEmpty)

        state = DashboardState()
        state.weakOnly = true
        view = DashboardRenderer.view(of: snapshot, state: state)
        #expect(!view.connections.isEmpty && view.connections.count < snapshot.connections.count)
        #expect(view.connections.allSatisfy { $0.severity >= .warn || $0.protocol == .plaintext })

        state = DashboardState()
        let target = try #require(DashboardRenderer.view(of: snapshot, state: state).hosts.last)
        state.focusedHost = target.key
        view = DashboardRenderer.view(of: snapshot, state: state)
        #expect(view.hosts.map(\.host) == [target.host])
        #expect(!view.connections.isEmpty)
        #expect(view.connections.allSatisfy { $0.hostName == target.host && $0.server.port == target.port })
    }

    @Test func rowsStayInOrderWhileTheDataDoesNot() throws {
        let snapshot = try Self.snapshot()
        let first = DashboardRenderer.view(of: snapshot, state: DashboardState()).hosts.map(\.key)
        #expect(first.count >= 5)
        // A later snapshot: the rows arrive in another order with more packets and bytes, but
        // nothing the order is decided by has changed, so no row moves.
        var later = snapshot
        later.generatedAt = Timestamp(seconds: 60, nanoseconds: 0)
        later.hosts.reverse()
        for index in later.hosts.indices {
            later.hosts[index].packets += 1000
            later.hosts[index].bytes += 100_000
        }
        #expect(DashboardRenderer.view(of: later, state: DashboardState()).hosts.map(\.key) == first)
        let renderer = DashboardRenderer()
        let before = renderer.render(snapshot, state: DashboardState(), width: 120, height: 40).text
        let after = renderer.render(later, state: DashboardState(), width: 120, height: 40).text
        #expect(Self.hostNames(before) == Self.hostNames(after))
        // The last row becomes the worst (critical, clear text, the busiest): it goes to the top,
        // and the others keep their order under it.
        var worse = later
        let last = try #require(first.last)
        let index = try #require(worse.hosts.firstIndex { $0.key == last })
        worse.hosts[index].severity = .critical
        worse.hosts[index].plaintextConnections = 1
        worse.hosts[index].connections = 1_000_000
        let reordered = DashboardRenderer.view(of: worse, state: DashboardState()).hosts.map(\.key)
        #expect(reordered.first == last)
        #expect(Array(reordered.dropFirst()) == Array(first.dropLast()))
    }

    /// The host column of the hosts pane, top to bottom.
    static func hostNames(_ text: String) -> [String] {
        text.split(separator: "\n").dropFirst(4).prefix(12).map { String($0.prefix(40)) }
    }
}

/// Reads classic pcap bytes into a tracker (the UI tests need no libpcap).
enum Classic {
    static func feed(_ data: [UInt8], into tracker: TrafficAnalysis) throws {
        func u32(_ at: Int) -> Int {
            Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24
        }
        guard data.count >= 24, u32(0) == 0xA1B2_C3D4, let linkType = LinkType(linkTypeNumber: u32(20)) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        var offset = 24
        while offset + 16 <= data.count {
            let captured = u32(offset + 8)
            let time = Timestamp(seconds: Int64(u32(offset)), nanoseconds: Int64(u32(offset + 4)) * 1000)
            let start = offset + 16
            guard start + captured <= data.count else { break }
            data[start..<(start + captured)].withUnsafeBytes {
                tracker.ingest(frame: $0, linkType: linkType, wireLength: u32(offset + 12), timestamp: time)
            }
            offset = start + captured
        }
    }
}
