import Foundation
import Testing

@testable import TLSTopCore
@testable import TLSTopUI

/// Missed post-quantum opportunities on the dashboard: the header's share, the `pq:` filter, the
/// `pq` sort and the detail pane.
@Suite struct PostQuantumViewTests {
    /// The mix of captures, with the TLS connections to two servers marked as missed (their clients
    /// offered a hybrid the server did not choose), and the rows and totals made again from that.
    static func snapshot() throws -> (Snapshot, missedPorts: Set<UInt16>) {
        var snapshot = try DashboardRendererTests.snapshot()
        let ports = Set(snapshot.connections.filter { $0.protocol == .tls && !$0.pq }.map(\.server.port).prefix(2))
        #expect(ports.count == 2)
        for index in snapshot.connections.indices where ports.contains(snapshot.connections[index].server.port) {
            snapshot.connections[index].pqMissed = true
        }
        snapshot.hosts = HostTable.rows(of: snapshot.connections)
        var totals = ConnectionTotals()
        for connection in snapshot.connections { totals.add(connection) }
        snapshot.totals = totals
        return (snapshot, ports)
    }

    @Test func theHeaderSaysHowManyConnectionsMissedPostQuantum() throws {
        let (snapshot, _) = try Self.snapshot()
        let missed = snapshot.totals.pqMissed
        #expect(missed > 0)
        let screen = DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 40)
        let header = screen.text.split(separator: "\n")[1]
        let share = String(format: "%.1f%%", 100 * Double(missed) / Double(snapshot.totals.tlsFamily))
        #expect(header.contains("(missed \(share))"), "\(header)")
        // Without a miss the header says nothing about it.
        let clean = DashboardRenderer().render(
            try DashboardRendererTests.snapshot(), state: DashboardState(), width: 200, height: 40)
        #expect(!clean.text.split(separator: "\n")[1].contains("missed"))
    }

    @Test func pqMissedFiltersThePanesToThoseConnections() throws {
        let (snapshot, ports) = try Self.snapshot()
        var state = DashboardState()
        state.filter = ConnectionFilter("pq:missed")
        let view = DashboardRenderer.view(of: snapshot, state: state)
        #expect(!view.connections.isEmpty)
        #expect(view.connections.allSatisfy { $0.pqMissed && ports.contains($0.server.port) })
        #expect(Set(view.hosts.map { UInt16($0.port) }) == ports)
        state.filter = ConnectionFilter("pq:no")
        let classical = DashboardRenderer.view(of: snapshot, state: state).connections
        #expect(!classical.isEmpty && classical.allSatisfy { $0.protocol.isTLSFamily && !$0.pq })
    }

    @Test func thePQSortPutsTheHostsThatMissedMostFirst() throws {
        let (snapshot, ports) = try Self.snapshot()
        var state = DashboardState()
        state.sort = .pq
        let hosts = DashboardRenderer.view(of: snapshot, state: state).hosts
        let leading = hosts.prefix(ports.count)
        #expect(Set(leading.map { UInt16($0.port) }) == ports, "\(hosts.map(\.port))")
        #expect(hosts.dropFirst(ports.count).allSatisfy { $0.pqMissedConnections == 0 })
    }

    @Test func theDetailPaneSaysTheClientOffered() throws {
        let (snapshot, _) = try Self.snapshot()
        let connection = try #require(snapshot.connections.first { $0.pqMissed })
        let lines = DetailLines.connection(connection).map(\.0)
        #expect(lines.contains { $0.contains("PQ missed (client offered)") }, "\(lines)")
    }
}
