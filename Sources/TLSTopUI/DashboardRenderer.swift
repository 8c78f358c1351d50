import Foundation
import TLSTopCore

/// Draws a snapshot as the dashboard: header, hosts pane, recent connections, detail pane, footer.
/// Only visible rows are formatted, so the cost does not grow with the number of hosts.
public struct DashboardRenderer {
    public struct Context: Sendable {
        public var uptimeSeconds: Int?
        public var packetsPerSecond: Double?
        public var endOfFile = false
        /// The `/` prompt's text while it is open.
        public var prompt: String?
        /// How far a file has been read, while it is being read.
        public var progress: ReadingProgress?
        /// What makes the figures incomplete: the latest on the status line, all under `!`.
        public var problems = ProblemLog()

        public init(
            uptimeSeconds: Int? = nil, packetsPerSecond: Double? = nil, endOfFile: Bool = false, prompt: String? = nil,
            progress: ReadingProgress? = nil, problems: ProblemLog = ProblemLog()
        ) {
            self.uptimeSeconds = uptimeSeconds
            self.packetsPerSecond = packetsPerSecond
            self.endOfFile = endOfFile
            self.prompt = prompt
            self.progress = progress
            self.problems = problems
        }
    }

    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public init() {}

    /// What the panes show after the filter, focus and weak-only view are applied.
    public struct View {
        public var hosts: [HostSnapshot]
        public var connections: [ConnectionRecord]
    }

    /// The view of the last snapshot and state drawn. Between two snapshots (a second apart) the
    /// screen is redrawn for every key and cursor move: those redraws reuse the filtered, sorted
    /// rows instead of sorting 100k hosts again.
    private let cache = ViewCache()

    private final class ViewCache: @unchecked Sendable {
        private let lock = NSLock()
        private var key: Key?
        private var view: View?

        struct Key: Equatable {
            var generatedAt: Timestamp
            var packets: Int
            var hosts: Int
            var connections: Int
            var focusedHost: HostKey?
            var weakOnly: Bool
            var filter: String
            var sort: DashboardState.SortKey
            var groupByService: Bool
        }

        func view(of snapshot: Snapshot, state: DashboardState) -> View {
            let key = Key(
                generatedAt: snapshot.generatedAt, packets: snapshot.statistics.packets, hosts: snapshot.hosts.count,
                connections: snapshot.connections.count, focusedHost: state.focusedHost, weakOnly: state.weakOnly,
                filter: state.filter.text, sort: state.sort, groupByService: state.groupByService)
            lock.lock()
            defer { lock.unlock() }
            if let view, self.key == key { return view }
            let fresh = DashboardRenderer.view(of: snapshot, state: state)
            (self.key, view) = (key, fresh)
            return fresh
        }
    }

    public static func view(of snapshot: Snapshot, state: DashboardState) -> View {
        let connections = snapshot.connections.reversed().filter { connection in
            (state.focusedHost == nil || connection.hostKey == state.focusedHost)
                && (!state.weakOnly || connection.isWeak) && state.filter.matches(connection)
        }
        var hosts = snapshot.hosts
        if state.focusedHost != nil || state.weakOnly || !state.filter.isEmpty {
            let visible = Set(connections.map(\.hostKey))
            hosts = hosts.filter { visible.contains($0.key) }
        }
        var ordered = HostOrdering.sorted(hosts, by: state.sort)
        if state.groupByService { ordered = HostOrdering.groupedByService(ordered) }
        return View(hosts: ordered, connections: Array(connections))
    }

    public func render(
        _ snapshot: Snapshot, state: DashboardState, width: Int, height: Int, context: Context = Context()
    )
        -> Screen
    {
        var screen = Screen(width: width, height: height)
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
            let message = "tlstop needs at least \(Self.minimumWidth)x\(Self.minimumHeight) (now \(width)x\(height))"
            screen.put(message, x: 0, y: 0, role: .warn, limit: width)
            return screen
        }
        let view = cache.view(of: snapshot, state: state)
        drawHeader(&screen, snapshot, state, view, context)
        let hostsHeight = max(6, (height - 3) * 2 / 5)
        let bottomTop = 2 + hostsHeight
        let bottomHeight = height - 1 - bottomTop
        drawHosts(&screen, view.hosts, state, top: 2, height: hostsHeight)
        // The connections pane takes 55%, and at middle widths up to 72 columns (a host, version,
        // cipher and group on one row) as long as the detail pane keeps 46 (an IANA suite name).
        let leftWidth = max(width * 11 / 20, min(width - 46, 72))
        drawConnections(
            &screen, view.connections, state, top: bottomTop, height: bottomHeight, width: leftWidth,
            showsProcesses: snapshot.processAttribution != nil)
        drawDetail(
            &screen, view, state, top: bottomTop, height: bottomHeight, x: leftWidth, width: width - leftWidth,
            now: snapshot.generatedAt)
        drawFooter(&screen, state, context, y: height - 1)
        if state.showHelp {
            drawHelp(&screen)
        } else if state.showProblems {
            drawProblems(&screen, context.problems)
        }
        return screen
    }

    // MARK: - Hosts

    static let hostColumns: [(title: String, width: Int, right: Bool)] = [
        ("GR", 4, false), ("HOST", 0, false), ("PORT", 6, true), ("CONNS", 7, true), ("VERSIONS", 17, false),
        ("KEY EXCHANGE", 20, false), ("PFS", 5, true), ("PQ", 4, true), ("WORST FINDING", 22, false),
    ]

    private func drawHosts(
        _ screen: inout Screen, _ hosts: [HostSnapshot], _ state: DashboardState, top: Int, height: Int
    ) {
        Box.draw(
            &screen,
            title: "Hosts · \(state.groupByService ? "by local service, then " : "")sorted by \(state.sort.rawValue)",
            x: 0, y: top, width: screen.width,
            height: height,
            active: state.pane == .hosts)
        let inner = screen.width - 2
        let fixed = Self.hostColumns.reduce(0) { $0 + $1.width + 1 }
        let hostWidth = max(12, inner - fixed - 1)
        let widths = Self.hostColumns.map { $0.width == 0 ? hostWidth : $0.width }
        drawRow(
            &screen, Self.hostColumns.map(\.title), widths: widths, rights: Self.hostColumns.map(\.right),
            x: 1, y: top + 1, role: .label)
        let rows = height - 3
        guard rows > 0 else { return }
        let first = Self.scrollStart(cursor: state.hostCursor, scroll: state.hostScroll, rows: rows, count: hosts.count)
        for (offset, host) in hosts.dropFirst(first).prefix(rows).enumerated() {
            let y = top + 2 + offset
            let index = first + offset
            let keyExchange = Self.keyExchange(host)
            let tlsCount = host.tlsConnections
            let pfs = tlsCount == 0 ? "–" : "\(Int((Double(host.pfsConnections) / Double(tlsCount) * 100).rounded()))%"
            let pq =
                tlsCount == 0
                ? "–" : host.pqConnections == tlsCount ? "✓" : host.pqConnections == 0 ? "–" : "\(host.pqConnections)"
            let worst = host.worstFinding?.rawValue ?? ""
            let name =
                state.groupByService
                ? "\(HostOrdering.mainService(of: host) ?? "–") ▸ \(host.host)" : host.host
            let cells = [
                (host.grade?.name ?? "–") + " " + host.marker, TerminalText.sanitize(name), "\(host.port)",
                Format.grouped(host.connections), Self.versions(host), keyExchange, pfs, pq, worst,
            ]
            let role: StyleRole = state.pane == .hosts && index == state.hostCursor ? .selected : host.role
            if role == .selected { screen.fill(y: y, from: 1, to: screen.width - 1, role: .selected) }
            drawRow(&screen, cells, widths: widths, rights: Self.hostColumns.map(\.right), x: 1, y: y, role: role)
        }
    }

    static func versions(_ host: HostSnapshot) -> String {
        if host.versions.isEmpty {
            let apps = host.applications.keys.map(\.rawValue).sorted().joined(separator: " ")
            return host.plaintextConnections > 0
                ? "plaintext \(apps)" : (host.protocols.keys.map(\.name).sorted().first ?? "–")
        }
        return host.versions.keys.map(\.name).sorted().joined(separator: " ")
    }

    static func keyExchange(_ host: HostSnapshot) -> String {
        // The most used group (ties by code point, so the cell is stable), else the most used suite.
        let group = host.groups.max { $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue }?
            .key
        let cipher = host.ciphers.max {
            $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue
        }?.key
        return Format.keyExchange(group: group, cipher: cipher)
    }

    // MARK: - Connections

    /// - Parameter showsProcesses: a live capture: each row names the local program and the
    ///   direction. Files have no processes, and no such column.
    private func drawConnections(
        _ screen: inout Screen, _ connections: [ConnectionRecord], _ state: DashboardState, top: Int, height: Int,
        width: Int, showsProcesses: Bool
    ) {
        Box.draw(
            &screen, title: "Recent connections", x: 0, y: top, width: width, height: height,
            active: state.pane == .connections)
        let rows = height - 2
        guard rows > 0 else { return }
        let first = Self.scrollStart(
            cursor: state.connectionCursor, scroll: state.connectionScroll, rows: rows,
            count: connections.count)
        for (offset, connection) in connections.dropFirst(first).prefix(rows).enumerated() {
            let y = top + 1 + offset
            let selected = state.pane == .connections && first + offset == state.connectionCursor
            let role: StyleRole = selected ? .selected : connection.role
            if selected { screen.fill(y: y, from: 1, to: width - 1, role: .selected) }
            let time = String(connection.lastSeen.rfc3339.dropFirst(11).prefix(8))
            var what = connection.version?.name ?? connection.protocol.name
            if connection.protocol == .plaintext {
                what = "\(connection.application?.rawValue ?? "plaintext") plaintext"
            }
            var text = "\(time) \(connection.marker) "
            if showsProcesses {
                let direction =
                    connection.direction == .inbound ? "in " : connection.direction == .outbound ? "out" : "   "
                text += DetailLines.processLabel(connection).padded(to: 12) + " " + direction + " "
            }
            // What a reader looks for comes first (server, version, cipher, group, findings); the
            // client's address and port, which the detail pane repeats, come last and are cut first.
            text += "\(TerminalText.sanitize(connection.hostName)):\(connection.server.port) \(what)"
            if let cipher = connection.cipher { text += " \(Format.shortCipher(cipher))" }
            if let group = connection.group { text += " \(group.name)" }
            if connection.pfs == false { text += " no-PFS" }
            if connection.pq { text += " PQ" }
            if let finding = connection.findings.first(where: { $0.severity >= .warn }) { text += " \(finding.id)" }
            text += "  ← \(connection.client.address):\(connection.client.port)"
            screen.put(text, x: 1, y: y, role: role, limit: width - 2)
        }
    }

    // MARK: - Detail

    private func drawDetail(
        _ screen: inout Screen, _ view: View, _ state: DashboardState, top: Int, height: Int, x: Int, width: Int,
        now: Timestamp
    ) {
        var lines: [(String, StyleRole)] = []
        var title = "Detail"
        switch state.pane {
        case .hosts:
            if view.hosts.indices.contains(state.hostCursor) {
                let host = view.hosts[state.hostCursor]
                title = TerminalText.sanitize(host.key.label)
                // In place: copying each row into a closure cost 10 ms per redraw at 10k connections.
                var matching: [ConnectionRecord] = []
                for index in view.connections.indices where view.connections[index].hostKey == host.key {
                    matching.append(view.connections[index])
                }
                lines = DetailLines.host(host, connections: matching, now: now)
            }
        case .connections:
            if view.connections.indices.contains(state.connectionCursor) {
                let connection = view.connections[state.connectionCursor]
                title =
                    "\(connection.client.address):\(connection.client.port) → \(TerminalText.sanitize(connection.hostName)):\(connection.server.port)"
                lines = DetailLines.connection(connection, now: now)
            }
        }
        Box.draw(&screen, title: title, x: x, y: top, width: width, height: height, active: false)
        for (offset, line) in lines.prefix(height - 2).enumerated() {
            screen.put(line.0, x: x + 1, y: top + 1 + offset, role: line.1, limit: width - 2)
        }
    }

    // MARK: - Helpers

    /// The first visible row, keeping the cursor on screen.
    static func scrollStart(cursor: Int, scroll: Int, rows: Int, count: Int) -> Int {
        guard count > rows else { return 0 }
        var first = min(scroll, count - rows)
        if cursor < first { first = cursor }
        if cursor >= first + rows { first = cursor - rows + 1 }
        return max(0, first)
    }

    func drawRow(
        _ screen: inout Screen, _ cells: [String], widths: [Int], rights: [Bool], x: Int, y: Int, role: StyleRole
    ) {
        var column = x
        for (index, cell) in cells.enumerated() {
            let width = widths[index]
            let clipped = DisplayWidth.truncate(cell, to: width)
            let pad = width - DisplayWidth.of(clipped)
            screen.put(clipped, x: rights[index] ? column + pad : column, y: y, role: role, limit: width)
            column += width + 1
        }
    }
}
