import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopExport

/// The event stream and the metrics endpoint, when asked for: both are fed by the tracker's
/// `onReport` on the capture thread (once per classified connection); the metrics endpoint also
/// reads the latest published snapshot when scraped.
final class Feeds {
    let log: EventLog?
    let recorder: MetricsRecorder?
    private var server: MetricsServer?
    private let context: ConnectionEvent.Context

    /// Opens the log file (before privileges are dropped, so a root-owned folder works).
    init(logPath: String?, logWhenFull: EventLog.FullQueue, metrics: ListenEndpoint?, topHosts: Int, policy: Policy)
        throws(EventLog.OpenError)
    {
        var name = [CChar](repeating: 0, count: 256)
        let hostName =
            gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        context = ConnectionEvent.Context(
            policy: policy, observerHostName: hostName, version: TLSTopCommand.version)
        let context = self.context
        log = try logPath.map { path throws(EventLog.OpenError) in
            try EventLog(path: path, whenFull: logWhenFull) { ConnectionEvent.lines(for: $0, context: context) }
        }
        if let path = logPath {
            if path == "-" {
                // A reader that goes away (`| head`) must not kill the capture with SIGPIPE.
                signal(SIGPIPE, SIG_IGN)
            } else {
                HangupSignal.install()
            }
        }
        recorder = metrics.map { _ in
            MetricsRecorder(topHosts: topHosts, version: TLSTopCommand.version, policy: policy.name)
        }
    }

    var isEmpty: Bool { log == nil && recorder == nil }

    /// Starts serving /metrics; `snapshot` gives the latest published snapshot.
    func startMetrics(on endpoint: ListenEndpoint?, snapshot: @escaping @Sendable () -> Snapshot?)
        throws(MetricsServer.StartError)
    {
        guard let endpoint, let recorder else { return }
        server = try MetricsServer.start(on: endpoint, recorder: recorder, snapshot: snapshot)
    }

    /// Connects the analysis's reports to the log and the metrics.
    func attach(to analysis: TrafficAnalysis) {
        guard !isEmpty else { return }
        let log = self.log
        let recorder = self.recorder
        analysis.onReport = { connection in
            log?.append(connection)
            recorder?.record(connection)
        }
    }

    /// Writes what is queued and closes the log; stops the metrics listener.
    func finish() -> String? {
        server?.stop()
        guard let log else { return nil }
        log.close()
        let stats = log.statistics
        let target = log.path == "-" ? "stdout" : log.path
        return "events: \(stats.writtenLines) lines to \(target)"
            + (stats.droppedLines > 0 ? ", \(stats.droppedLines) dropped (writer behind or failing)" : "")
    }
}
