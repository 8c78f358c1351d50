import Foundation
import Testing

@testable import TLSTopCore
@testable import TLSTopUI

/// The dashboard with local processes (a live capture): the connections pane's program and
/// direction, the detail pane, grouping hosts by service, and the `proc:`, `ja4:`, `dir:` filters.
@Suite struct ProcessViewTests {
    /// The fixture mix as a live capture would see it: every connection attributed, alternately
    /// inbound to nginx and outbound from curl.
    static func liveSnapshot() throws -> Snapshot {
        var snapshot = try DashboardRendererTests.snapshot()
        snapshot.processAttribution = "on"
        for index in snapshot.connections.indices {
            let inbound = index % 2 == 0
            snapshot.connections[index].direction = inbound ? .inbound : .outbound
            snapshot.connections[index].localProcess =
                inbound
                ? LocalProcess(pid: 812, name: "nginx", user: "www-data", unit: "nginx.service", state: .found)
                : LocalProcess(pid: 4242, name: "curl", user: "alice", unit: "session-3.scope", state: .found)
        }
        // The newest outbound one (the pane lists newest first) ended before its lookup.
        if let newestOutbound = snapshot.connections.indices.last(where: { $0 % 2 == 1 }) {
            snapshot.connections[newestOutbound].localProcess = LocalProcess(state: .exited)
        }
        snapshot.hosts = HostTable.rows(of: snapshot.connections)
        return snapshot
    }

    static func render(_ snapshot: Snapshot, _ state: DashboardState = DashboardState()) -> String {
        DashboardRenderer().render(snapshot, state: state, width: 160, height: 50).text
    }

    @Test func theConnectionsPaneNamesTheProgramAndTheDirection() throws {
        let text = Self.render(try Self.liveSnapshot())
        #expect(text.contains("nginx        in  "))
        #expect(text.contains("curl         out "))
        #expect(text.contains("exited       out "))
    }

    @Test func filesShowNoProcessColumn() throws {
        let text = Self.render(try DashboardRendererTests.snapshot())
        #expect(!text.contains(" in  127.0.0.1") && !text.contains(" out 127.0.0.1"))
        #expect(!text.contains("processes"))
    }

    @Test func theHeaderSaysWhyThereAreNoProcesses() throws {
        var snapshot = try DashboardRendererTests.snapshot()
        snapshot.processAttribution = "off: 'nobody' cannot read other users' /proc/PID/fd"
        #expect(Self.render(snapshot).contains("processes off: 'nobody' cannot read"))
    }

    @Test func theDetailPaneShowsTheProcessAndFingerprints() throws {
        let snapshot = try Self.liveSnapshot()
        let tls13 = try #require(
            snapshot.connections.first { $0.version?.name == "TLSv1.3" && $0.direction == .inbound })
        let lines = DetailLines.connection(tls13).map(\.0)
        #expect(lines.contains("Process nginx (pid 812, user www-data, nginx.service), inbound"))
        #expect(lines.contains { $0.hasPrefix("JA4 t13") })
        #expect(lines.contains { $0.hasPrefix("JA3 ") && $0.contains("JA3S ") })
    }

    @Test func filtersByProgramFingerprintAndDirection() throws {
        let snapshot = try Self.liveSnapshot()
        func count(_ filter: String) -> Int {
            snapshot.connections.filter { ConnectionFilter(filter).matches($0) }.count
        }
        let nginx = snapshot.connections.filter { $0.localProcess?.name == "nginx" }.count
        #expect(nginx > 0 && count("proc:nginx") == nginx)
        #expect(count("proc:nginx.service") == nginx, "the unit matches too")
        #expect(count("proc:NGINX") == nginx, "case does not matter")
        let tls13 = snapshot.connections.filter { $0.ja4?.hasPrefix("t13") == true }.count
        #expect(tls13 > 0 && count("ja4:t13") == tls13)
        #expect(count("ja4:q13") == 0)
        #expect(count("dir:out") == snapshot.connections.filter { $0.direction == .outbound }.count)
        #expect(count("proc:curl dir:in") == 0)
    }

    @Test func hostsGroupByTheirMainService() throws {
        let snapshot = try Self.liveSnapshot()
        var state = DashboardState()
        state.groupByService = true
        let hosts = DashboardRenderer.view(of: snapshot, state: state).hosts
        let services = hosts.map { HostOrdering.mainService(of: $0) }
        let named = services.compactMap { $0 }
        #expect(named == named.sorted(), "grouped by service name")
        #expect(services.drop { $0 != nil }.allSatisfy { $0 == nil }, "hosts without a service last")
        let text = Self.render(snapshot, state)
        #expect(text.contains("Hosts · by local service, then sorted by severity"))
        #expect(text.contains("curl ▸ ") || text.contains("nginx.service ▸ "))
    }

    @Test func theGroupKeyToggles() throws {
        let snapshot = try Self.liveSnapshot()
        var controller = DashboardController()
        _ = controller.handle(.character("g"), snapshot: snapshot)
        #expect(controller.state.groupByService)
        _ = controller.handle(.character("g"), snapshot: snapshot)
        #expect(!controller.state.groupByService)
    }
}
