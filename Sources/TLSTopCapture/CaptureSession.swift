import CLinux
import Dispatch
import Foundation
import Synchronization
import TLSTopCore

/// Runs a packet source on its own thread and publishes immutable snapshots at a fixed rate.
///
/// The capture thread owns the tracker: it alone reads packets and builds snapshots. Readers take
/// the latest snapshot through one lock per publish (a few times a second), never per packet, so
/// the UI or an exporter can never slow the capture down.
public final class CaptureSession: @unchecked Sendable {
    // @unchecked: `analysis`, `source` and `outcomeError` are used only by the capture thread between
    // `start()` and the completion signal; other threads touch only `latest` (a Mutex), `stopping`
    // (an Atomic) and the outcome after `waitUntilFinished()` has returned.
    private let source: any PacketSource
    private let analysis: TrafficAnalysis
    private let publishInterval: Duration
    private let latest = Mutex<Snapshot?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private var outcomeError: CaptureError?
    private var endOfInput = false

    /// How much longer than a snapshot took to build the capture reads before building the next.
    private let publishSpacing: Double

    /// - Parameters:
    ///   - publishesPerSecond: the most snapshots a second.
    ///   - publishShare: the most of its time the capture thread spends building snapshots when
    ///     they grow slow (a large table). A live capture keeps a tenth, so it never falls behind
    ///     the wire; a file shown on the dashboard can give half, so that its panes keep moving
    ///     while a large capture is read (it is read that much slower, and loses nothing).
    public init(
        source: any PacketSource, analysis: TrafficAnalysis, publishesPerSecond: Double = 4,
        publishShare: Double = 0.1
    ) {
        self.source = source
        self.analysis = analysis
        self.publishInterval = .milliseconds(Int64(1000 / max(0.1, publishesPerSecond)))
        self.publishSpacing = 1 / min(0.9, max(0.01, publishShare)) - 1
        self.readProgress = source.readProgress
    }

    /// How far the file has been read (nil for an interface): readable at any time, between
    /// snapshots, from any thread.
    public let readProgress: ReadProgress?

    /// What the snapshots say about process attribution (`on`, `off: why`); nil for files.
    public var processAttribution: String?

    /// The most recent snapshot (nil until the first publish).
    public var snapshot: Snapshot? { latest.withLock { $0 } }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "tlstop-capture"
        thread.start()
    }

    /// Asks the capture thread to publish a last snapshot and stop; returns at once.
    public func stop() { stopping.store(true, ordering: .releasing) }

    /// Blocks until the capture thread has stopped; returns its last snapshot and the error that
    /// ended it, if any.
    public func waitUntilFinished() -> (snapshot: Snapshot, error: CaptureError?, endOfInput: Bool) {
        done.wait()
        done.signal()
        let last = latest.withLock { $0 } ?? publishNow()
        return (last, outcomeError, endOfInput)
    }

    /// Whether the thread has stopped (at the end of a file, on an error, or when asked).
    public var isFinished: Bool {
        guard done.wait(timeout: .now()) == .success else { return false }
        done.signal()
        return true
    }

    private func run() {
        // Named for top -H and /proc/PID/task/*/comm (Foundation's Thread.name is not, on Linux).
        tlstop_name_thread("tlstop-capture")
        let clock = ContinuousClock()
        var nextPublish = clock.now
        do throws(CaptureError) {
            while !stopping.load(ordering: .acquiring) {
                if try !source.pump(into: analysis.tracker, waitingUpTo: 100) {
                    endOfInput = true
                    break
                }
                if clock.now >= nextPublish {
                    let started = clock.now
                    publish()
                    // Building a snapshot must never cost the capture more than its share of time:
                    // when it grows slow (a huge table), publish less often instead of dropping packets.
                    let cost = clock.now - started
                    nextPublish = clock.now.advanced(by: max(publishInterval, cost * publishSpacing))
                }
            }
        } catch {
            outcomeError = error
        }
        // The run is over: attempts are counted, and connections cut mid-handshake still reach
        // the event stream and metrics.
        analysis.finish()
        publish()
        done.signal()
    }

    private func publish() {
        let snapshot = publishNow()
        latest.withLock { $0 = snapshot }
    }

    private func publishNow() -> Snapshot {
        let now = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1_000_000_000))
        if source.snapshotSource.kind == "interface" { analysis.sweep(now: now) }
        analysis.applyProcessAnswers()
        var snapshot = analysis.snapshot(source: source.snapshotSource, generatedAt: now)
        snapshot.processAttribution = processAttribution
        if let kernel = source.kernelStatistics() {
            snapshot.statistics.kernelReceived = kernel.received
            snapshot.statistics.kernelDropped = kernel.dropped
            snapshot.statistics.interfaceDropped = kernel.interfaceDropped
        }
        return snapshot
    }
}
