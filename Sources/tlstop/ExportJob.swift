import Foundation
import Synchronization
import TLSTopCore
import TLSTopUI

/// A dashboard export or report written on its own thread: narrowing a large snapshot to what is
/// shown and writing a few hundred MB take seconds, and the keys must keep answering meanwhile.
final class ExportJob: Sendable {
    enum Kind: Sendable {
        /// The snapshot, JSON or CSV (key e).
        case snapshot
        /// The compliance report, Markdown or HTML (key r), naming the program that wrote it.
        case report(generator: String)
    }

    enum Outcome: Sendable, Equatable {
        case written(connections: Int, hosts: Int, bytes: Int, seconds: Double)
        case failed(String)
    }

    let path: String
    private let outcome = Mutex<Outcome?>(nil)

    let kind: Kind

    /// Starts writing what `state` shows of `snapshot` to `path`.
    init(snapshot: Snapshot, state: DashboardState, path: String, kind: Kind = .snapshot) {
        self.path = path
        self.kind = kind
        let thread = Thread { [self] in write(snapshot, state) }
        thread.name = "tlstop-export"
        thread.start()
    }

    /// Nil while the file is being written.
    var result: Outcome? { outcome.withLock { $0 } }

    private func write(_ snapshot: Snapshot, _ state: DashboardState) {
        let clock = ContinuousClock()
        let started = clock.now
        let narrowed = DashboardController.exported(snapshot, state: state)
        let result: Outcome
        do {
            switch kind {
            case .snapshot: try narrowed.export(to: path)
            case .report(let generator): try narrowed.writeReport(to: path, generator: generator)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let elapsed = started.duration(to: clock.now)
            result = .written(
                connections: narrowed.connections.count, hosts: narrowed.hosts.count, bytes: size,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        } catch {
            result = .failed(error.localizedDescription)
        }
        outcome.withLock { $0 = result }
    }

    /// The status line once it is done.
    var statusText: String? {
        switch result {
        case nil:
            return nil
        case .written(let connections, let hosts, let bytes, let seconds)?:
            let size = bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1e6) : "\(bytes) bytes"
            let what: String
            switch kind {
            case .snapshot: what = "exported"
            case .report: what = "reported"
            }
            return "\(what) \(connections) connections and \(hosts) hosts to \(path) (\(size), "
                + String(format: "%.1f s)", seconds)
        case .failed(let reason)?:
            return "export to \(path) failed: \(reason)"
        }
    }
}
