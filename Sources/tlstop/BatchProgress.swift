import Foundation
import Synchronization
import TLSTopCapture
import TLSTopUI

/// `--batch` reading a file on a terminal: one line on standard error, redrawn four times a second
/// ("reading 42% · 1.2M pkts · 350k pkt/s · 0:12 left") and erased at the end. Nothing when
/// standard error is not a terminal: logs and pipes get only the summary.
final class BatchProgress: Sendable {
    private let progress: ReadProgress
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    private init(_ progress: ReadProgress) { self.progress = progress }

    /// Starts the line's thread, or returns nil when standard error is not a terminal.
    static func start(_ progress: ReadProgress) -> BatchProgress? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let line = BatchProgress(progress)
        let thread = Thread { line.run() }
        thread.name = "tlstop-progress"
        thread.start()
        return line
    }

    /// Erases the line; returns once it is gone, so the summary starts on a clean line.
    func stop() {
        stopping.store(true, ordering: .releasing)
        done.wait()
    }

    private func run() {
        var meter = ProgressMeter()
        let clock = ContinuousClock()
        let started = clock.now
        var drawn = false
        while !stopping.load(ordering: .acquiring) {
            let elapsed = started.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let shown = meter.sample(
                bytes: progress.bytesRead, totalBytes: progress.totalBytes, packets: progress.framesRead,
                atSeconds: seconds)
            // Short files end before the first redraw: no line flashes by.
            if seconds >= 0.5 {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(shown.text)".utf8))
                drawn = true
            }
            for _ in 0..<5 where !stopping.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.05) }
        }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        done.signal()
    }
}
