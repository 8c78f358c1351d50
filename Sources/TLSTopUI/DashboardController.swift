import TLSTopCore

/// Turns keys into changes of `DashboardState` and into effects the application carries out
/// (quit, export, theme). Pure: the same keys on the same snapshot always give the same result.
public struct DashboardController {
    public enum Key: Equatable, Sendable {
        case character(Character)
        case up, down, pageUp, pageDown, home, end, tab, enter, escape, backspace
    }

    public enum Effect: Equatable, Sendable {
        case none
        case quit
        /// Export what is shown: the filtered, focused view.
        case export
        /// Write the compliance report of what is shown.
        case report
        case nextTheme
    }

    public private(set) var state: DashboardState
    /// Text typed at the `/` prompt, nil when the prompt is closed.
    public private(set) var prompt: String?
    /// Rows a page moves (the visible rows of the active pane).
    public var pageSize = 10

    public init(state: DashboardState = DashboardState()) {
        self.state = state
    }

    public mutating func handle(_ key: Key, snapshot: Snapshot) -> Effect {
        if prompt != nil { return handlePrompt(key) }
        let view = DashboardRenderer.view(of: snapshot, state: state)
        let count = state.pane == .hosts ? view.hosts.count : view.connections.count
        state.status = nil
        if state.showHelp || state.showProblems, key == .escape {
            // Esc closes an overlay before it clears anything under it.
            state.showHelp = false
            state.showProblems = false
            return .none
        }
        switch key {
        case .up, .character("k"): move(by: -1, count: count)
        case .down, .character("j"): move(by: 1, count: count)
        case .pageUp: move(by: -pageSize, count: count)
        case .pageDown: move(by: pageSize, count: count)
        case .home: move(by: -Int.max / 2, count: count)
        case .end: move(by: Int.max / 2, count: count)
        case .tab: state.pane = state.pane == .hosts ? .connections : .hosts
        case .enter, .character("f"):
            if state.focusedHost != nil {
                state.focusedHost = nil
            } else if state.pane == .hosts, view.hosts.indices.contains(state.hostCursor) {
                let host = view.hosts[state.hostCursor]
                state.focusedHost = host.key
            } else if state.pane == .connections, view.connections.indices.contains(state.connectionCursor) {
                state.focusedHost = view.connections[state.connectionCursor].hostKey
            }
            resetCursors()
        case .character("/"): prompt = state.filter.text
        case .escape:
            state.filter = ConnectionFilter()
            state.focusedHost = nil
            state.weakOnly = false
            resetCursors()
        case .character("w"):
            state.weakOnly.toggle()
            resetCursors()
        case .character("s"):
            let keys = DashboardState.SortKey.allCases
            state.sort = keys[((keys.firstIndex(of: state.sort) ?? 0) + 1) % keys.count]
        case .character("g"):
            state.groupByService.toggle()
            resetCursors()
            state.status = state.groupByService ? "hosts grouped by local service" : "hosts not grouped"
        case .character("p"): state.paused.toggle()
        case .character("?"):
            state.showHelp.toggle()
            state.showProblems = false
        case .character("!"):
            state.showProblems.toggle()
            state.showHelp = false
        case .character("e"): return .export
        case .character("r"): return .report
        case .character("t"): return .nextTheme
        case .character("q"): return .quit
        default: break
        }
        return .none
    }

    private mutating func handlePrompt(_ key: Key) -> Effect {
        switch key {
        case .enter:
            state.filter = ConnectionFilter(prompt ?? "")
            prompt = nil
            resetCursors()
        case .escape: prompt = nil
        case .backspace: if prompt?.isEmpty == false { prompt?.removeLast() }
        case .character(let character) where !character.isNewline && (prompt?.count ?? 0) < 200:
            prompt?.append(character)
        default: break
        }
        return .none
    }

    private mutating func move(by delta: Int, count: Int) {
        guard count > 0 else { return }
        switch state.pane {
        case .hosts: state.hostCursor = max(0, min(count - 1, state.hostCursor + delta))
        case .connections: state.connectionCursor = max(0, min(count - 1, state.connectionCursor + delta))
        }
    }

    private mutating func resetCursors() {
        state.hostCursor = 0
        state.hostScroll = 0
        state.connectionCursor = 0
        state.connectionScroll = 0
    }

    /// The snapshot an export writes: exactly what the panes show.
    public static func exported(_ snapshot: Snapshot, state: DashboardState) -> Snapshot {
        let view = DashboardRenderer.view(of: snapshot, state: state)
        var narrowed = snapshot
        narrowed.connections = Array(view.connections.reversed())
        narrowed.hosts = view.hosts
        // A filter or a focus narrows the totals to the connections it lets through (those only
        // counted in host rows cannot be filtered); the whole view keeps the whole totals.
        if state.focusedHost != nil || state.weakOnly || !state.filter.isEmpty {
            var totals = ConnectionTotals()
            for connection in narrowed.connections { totals.add(connection) }
            narrowed.totals = totals
        }
        return narrowed
    }

    /// The status line after an export.
    public mutating func exported(to path: String) { state.status = "exported to \(path)" }

    /// Any other one-line status for the footer.
    public mutating func reportStatus(_ text: String) { state.status = text }
}
