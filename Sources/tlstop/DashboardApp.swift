import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopTerminal
import TLSTopUI

/// The interactive dashboard: the capture runs on its own thread; this loop draws the latest
/// snapshot at most ten times a second and handles keys. The UI never blocks the capture: it only
/// reads published snapshots, and the read progress between them.
struct DashboardApp {
    let session: CaptureSession
    let themes: [Theme]
    let exportPath: String?
    let reportPath: String?

    func run() -> CaptureError? {
        var themeIndex = 0
        let terminal = CursesTerminal(theme: themes[themeIndex])
        defer { terminal.restore() }
        var controller = DashboardController()
        let renderer = DashboardRenderer()
        let clock = ContinuousClock()
        let started = clock.now
        var shown: Snapshot?
        var rate: (packets: Int, at: ContinuousClock.Instant, perSecond: Double?) = (0, started, nil)
        var meter = ProgressMeter()
        var problems = ProblemLog()
        var endedWith: String?
        var export: ExportJob?
        var dirty = true
        while !StopSignal.requested {
            // The terminal hung up (ssh dropped, tmux killed). SIGHUP would have ended us, but with
            // --log SIGHUP means "reopen the log": notice it here, or curses spins on a dead tty.
            var attributes = termios()
            if tcgetattr(STDIN_FILENO, &attributes) != 0 { return nil }
            let finished = session.isFinished
            if finished, endedWith == nil {
                endedWith = session.waitUntilFinished().error?.message ?? ""
            }
            if !controller.state.paused, let latest = session.snapshot, latest.generatedAt != shown?.generatedAt {
                shown = latest
                let now = clock.now
                let elapsed = now - rate.at
                if elapsed >= .seconds(1) {
                    rate = (
                        latest.statistics.packets, now,
                        Double(latest.statistics.packets - rate.packets) / elapsed.seconds
                    )
                }
                dirty = true
            }
            if let snapshot = shown {
                let before = problems
                problems.update(
                    CaptureProblem.all(in: snapshot, endedWith: endedWith.flatMap { $0.isEmpty ? nil : $0 }))
                dirty = dirty || problems != before
            }
            if let job = export, let text = job.statusText {
                controller.reportStatus(text)
                export = nil
                dirty = true
            }
            var progress: ReadingProgress?
            if let reading = session.readProgress, !finished {
                progress = meter.sample(
                    bytes: reading.bytesRead, totalBytes: reading.totalBytes, packets: reading.framesRead,
                    atSeconds: (clock.now - started).seconds)
                // The figure moves between snapshots, which a large capture publishes slowly.
                dirty = true
            }
            if dirty, let snapshot = shown {
                let size = terminal.size
                let context = DashboardRenderer.Context(
                    uptimeSeconds: Int((clock.now - started).components.seconds),
                    packetsPerSecond: rate.perSecond, endOfFile: finished && snapshot.source.kind == "file",
                    prompt: controller.prompt, progress: progress, problems: problems)
                terminal.draw(
                    renderer.render(
                        snapshot, state: controller.state, width: size.width, height: size.height, context: context))
                dirty = false
            }
            // readKey waits up to 100 ms: the redraw rate never exceeds ten per second.
            guard let input = terminal.readKey() else {
                dirty = dirty || shown != nil && !finished
                continue
            }
            dirty = true
            guard case .key(let key) = input, let snapshot = shown else { continue }
            controller.pageSize = max(1, terminal.size.height / 3)
            switch controller.handle(key, snapshot: snapshot) {
            case .quit:
                return nil
            case .export:
                if let job = export {
                    controller.reportStatus("still writing \(job.path)…")
                } else {
                    let path = exportPath ?? Self.defaultExportPath()
                    export = ExportJob(snapshot: snapshot, state: controller.state, path: path)
                    controller.reportStatus("exporting to \(path)…")
                }
            case .report:
                if let job = export {
                    controller.reportStatus("still writing \(job.path)…")
                } else {
                    let path = reportPath ?? Self.defaultExportPath(extension: "md")
                    export = ExportJob(
                        snapshot: snapshot, state: controller.state, path: path,
                        kind: .report(generator: "tlstop \(TLSTopCommand.version)"))
                    controller.reportStatus("writing the report to \(path)…")
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

    /// tlstop-YYYYmmdd-HHMMSS.json (or another extension) in the current directory.
    static func defaultExportPath(extension: String = "json") -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return "tlstop-\(formatter.string(from: Date())).\(`extension`)"
    }
}

extension Duration {
    /// As a number of seconds, for rates.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
