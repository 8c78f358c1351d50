import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopTerminal
import TLSTopUI

/// The interactive dashboard: the capture runs on its own thread; this loop draws the latest
/// snapshot at most ten times a second and handles keys. The UI never blocks the capture: it only
/// reads published snapshots.
struct DashboardApp {
    let session: CaptureSession
    let themes: [Theme]
    let exportPath: String?
    let policyName: String

    func run() -> CaptureError? {
        var themeIndex = 0
        let terminal = CursesTerminal(theme: themes[themeIndex])
        defer { terminal.restore() }
        var controller = DashboardController()
        let renderer = DashboardRenderer()
        let started = ContinuousClock.now
        var shown: Snapshot?
        var rate: (packets: Int, at: ContinuousClock.Instant, perSecond: Double?) = (0, started, nil)
        var dirty = true
        while !StopSignal.requested {
            // The terminal hung up (ssh dropped, tmux killed). SIGHUP would have ended us, but with
            // --log SIGHUP means "reopen the log": notice it here, or curses spins on a dead tty.
            var attributes = termios()
            if tcgetattr(STDIN_FILENO, &attributes) != 0 { return nil }
            if !controller.state.paused, let latest = session.snapshot, latest.generatedAt != shown?.generatedAt {
                shown = latest
                let now = ContinuousClock.now
                let elapsed = now - rate.at
                if elapsed >= .seconds(1) {
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    rate = (latest.statistics.packets, now, Double(latest.statistics.packets - rate.packets) / seconds)
                }
                dirty = true
            }
            if dirty, let snapshot = shown {
                let size = terminal.size
                let finished = session.isFinished
                let context = DashboardRenderer.Context(
                    uptimeSeconds: Int((ContinuousClock.now - started).components.seconds),
                    packetsPerSecond: rate.perSecond, endOfFile: finished && snapshot.source.kind == "file",
                    prompt: controller.prompt)
                terminal.draw(
                    renderer.render(
                        snapshot, state: controller.state, width: size.width, height: size.height, context: context))
                dirty = false
            }
            // readKey waits up to 100 ms: the redraw rate never exceeds ten per second.
            guard let input = terminal.readKey() else {
                dirty = dirty || shown != nil && !session.isFinished
                continue
            }
            dirty = true
            guard case .key(let key) = input, let snapshot = shown else { continue }
            controller.pageSize = max(1, terminal.size.height / 3)
            switch controller.handle(key, snapshot: snapshot) {
            case .quit:
                return nil
            case .export:
                let path = exportPath ?? Self.defaultExportPath()
                let narrowed = DashboardController.exported(snapshot, state: controller.state)
                do {
                    try narrowed.export(to: path)
                    controller.exported(to: path)
                } catch {
                    controller.reportStatus("export to \(path) failed: \(error.localizedDescription)")
                }
            case .nextTheme:
                themeIndex = (themeIndex + 1) % themes.count
                terminal.apply(themes[themeIndex])
                controller.reportStatus("theme: \(themes[themeIndex].name)")
            case .none:
                break
            }
        }
        return nil
    }

    /// tlstop-YYYYmmdd-HHMMSS.json in the current directory.
    static func defaultExportPath() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return "tlstop-\(formatter.string(from: Date())).json"
    }
}
