import Testing

@testable import TLSTopCore
@testable import TLSTopUI

@Suite struct DashboardControllerTests {
    static func type(_ text: String, into controller: inout DashboardController, _ snapshot: Snapshot) {
        for character in text { _ = controller.handle(.character(character), snapshot: snapshot) }
    }

    @Test func slashOpensAFilterPromptThatEnterAppliesAndEscapeClears() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var controller = DashboardController()
        _ = controller.handle(.character("/"), snapshot: snapshot)
        #expect(controller.prompt == "")
        Self.type("proto:plaintext", into: &controller, snapshot)
        _ = controller.handle(.backspace, snapshot: snapshot)
        Self.type("t", into: &controller, snapshot)
        _ = controller.handle(.enter, snapshot: snapshot)
        #expect(controller.prompt == nil)
        #expect(controller.state.filter.text == "proto:plaintext")
        let view = DashboardRenderer.view(of: snapshot, state: controller.state)
        #expect(!view.connections.isEmpty && view.connections.allSatisfy { $0.protocol == .plaintext })
        _ = controller.handle(.escape, snapshot: snapshot)
        #expect(controller.state.filter.isEmpty)
    }

    @Test func enterFocusesTheSelectedHostAndAgainReleasesIt() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var controller = DashboardController()
        _ = controller.handle(.down, snapshot: snapshot)
        _ = controller.handle(.character("j"), snapshot: snapshot)
        let hosts = DashboardRenderer.view(of: snapshot, state: controller.state).hosts
        let chosen = hosts[2]
        _ = controller.handle(.enter, snapshot: snapshot)
        #expect(controller.state.focusedHost == chosen.key)
        #expect(DashboardRenderer.view(of: snapshot, state: controller.state).hosts.count == 1)
        _ = controller.handle(.character("f"), snapshot: snapshot)
        #expect(controller.state.focusedHost == nil)
    }

    @Test func cursorsStayInsideTheRows() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var controller = DashboardController()
        _ = controller.handle(.up, snapshot: snapshot)
        #expect(controller.state.hostCursor == 0)
        _ = controller.handle(.end, snapshot: snapshot)
        #expect(controller.state.hostCursor == snapshot.hosts.count - 1)
        _ = controller.handle(.tab, snapshot: snapshot)
        _ = controller.handle(.pageDown, snapshot: snapshot)
        #expect(controller.state.pane == .connections)
        #expect(controller.state.connectionCursor == 10)
        _ = controller.handle(.home, snapshot: snapshot)
        #expect(controller.state.connectionCursor == 0)
    }

    @Test func sortPauseHelpWeakOnlyAndEffects() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var controller = DashboardController()
        var sorts: [DashboardState.SortKey] = []
        for _ in 0..<5 {
            _ = controller.handle(.character("s"), snapshot: snapshot)
            sorts.append(controller.state.sort)
        }
        #expect(sorts == [.connections, .host, .grade, .pq, .severity])
        _ = controller.handle(.character("p"), snapshot: snapshot)
        #expect(controller.state.paused)
        _ = controller.handle(.character("?"), snapshot: snapshot)
        #expect(controller.state.showHelp)
        let help = DashboardRenderer().render(snapshot, state: controller.state, width: 120, height: 40)
        #expect(help.text.contains("this help"))
        _ = controller.handle(.character("w"), snapshot: snapshot)
        #expect(controller.state.weakOnly)
        #expect(controller.handle(.character("e"), snapshot: snapshot) == .export)
        #expect(controller.handle(.character("r"), snapshot: snapshot) == .report)
        #expect(controller.handle(.character("t"), snapshot: snapshot) == .nextTheme)
        #expect(controller.handle(.character("q"), snapshot: snapshot) == .quit)
    }

    @Test func anExportHoldsOnlyWhatIsShown() throws {
        let snapshot = try DashboardRendererTests.snapshot()
        var controller = DashboardController()
        _ = controller.handle(.character("/"), snapshot: snapshot)
        Self.type("port:44306", into: &controller, snapshot)
        _ = controller.handle(.enter, snapshot: snapshot)
        let exported = DashboardController.exported(snapshot, state: controller.state)
        #expect(exported.connections.count == 1)
        #expect(exported.connections.first?.server.port == 44306)
        #expect(exported.hosts.map(\.port) == [44306])
        #expect(exported.json().contains("\"server_port\":44306"))
        #expect(exported.totals.connections == 1, "the totals of a narrowed export are those of what it lists")
        controller.exported(to: "/tmp/x.json")
        let screen = DashboardRenderer().render(snapshot, state: controller.state, width: 120, height: 40)
        #expect(screen.text.split(separator: "\n").last?.contains("exported to /tmp/x.json") == true)
    }
}
