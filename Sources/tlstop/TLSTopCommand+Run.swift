import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopExport
import TLSTopUI

extension TLSTopCommand {
    /// How the run reads and shows its packets.
    enum Mode: Equatable {
        /// The dashboard, with the capture on its own thread.
        case dashboard
        /// `--batch -r FILE`: read as fast as possible on this thread.
        case wholeFile
        /// `--batch` on an interface (or a file replayed with --realtime, or scraped by --metrics):
        /// the capture thread publishes snapshots until the input ends, --duration passes, or
        /// SIGINT/SIGTERM arrives.
        case session
    }

    var mode: Mode {
        if !batch { return .dashboard }
        // Scrapes need published snapshots: with --metrics the file goes through a session.
        return readFile != nil && !realtime && metrics == nil ? .wholeFile : .session
    }

    /// The one wiring of a run: open everything that may need root (themes, capture, logs, key log,
    /// metrics port), give root up, check every output can be written, then read.
    func execute(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CommandError) {
        let started = ContinuousClock.now
        let policies = try self.policy.load()
        for notice in self.policy.notices { FileHandle.standardError.write(Data("tlstop: \(notice)\n".utf8)) }
        let policy = policies.first ?? .intermediate
        let mode = self.mode
        var themes: [Theme] = []
        if mode == .dashboard {
            guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
                throw CommandError("the dashboard needs a terminal; use --batch (with --export) for scripts and pipes")
            }
            themes = try loadThemes(environment: environment)
        }
        // An unknown -Z user fails before anything is opened.
        let plan: PrivilegePlan
        do throws(CaptureError) {
            plan = try PrivilegePlan.resolve(
                user: user, keepRoot: noDropPrivileges, liveCapture: readFile == nil, environment: environment)
        } catch {
            throw error.commandError
        }
        let source = try openSource()
        let shards = shardCount(mode: mode, source: source)
        let configuration = analysisConfiguration(policies: policies, shards: shards)
        let analysis = TrafficAnalysis(configuration: configuration)
        // Freed by the exit, not object by object: see `main`.
        Self.keptUntilExit.append(analysis)
        let logIsNew = log.map { $0 != "-" && !FileManager.default.fileExists(atPath: $0) } ?? false
        let feeds = try openFeeds(policy: policy)
        if let log, logIsNew { OutputCheck.handOver(log, createdNow: true, to: plan) }
        feeds.attach(to: analysis)
        let keyLog = try attachKeyLog(to: analysis)
        defer { keyLog?.stopFollowing() }
        let prober = attachProber(to: analysis)
        defer { prober?.stop() }
        let session =
            mode == .wholeFile
            ? nil
            : CaptureSession(
                source: source, analysis: analysis,
                publishShare: mode == .dashboard && readFile != nil && !realtime ? 0.5 : 0.1)
        if let session { try startMetrics(feeds, session: session) }
        try giveUpRoot(plan, dashboard: mode == .dashboard)
        session?.processAttribution = attachProcessLookup(to: analysis.tracker)
        StopSignal.install()

        switch mode {
        case .dashboard:
            guard let session else { return }
            session.start()
            _ = DashboardApp(
                session: session, themes: themes, exportPath: dashboardExportPath, reportPath: report?.path
            ).run()
            session.stop()
            let outcome = session.waitUntilFinished()
            _ = feeds.finish()
            if let error = outcome.error { throw error.commandError }
        case .wholeFile:
            guard let reader = source as? PcapFileReader else { return }
            let progress = BatchProgress.start(reader.progress)
            // Without --export, --report or a second policy only the summary reads it: hosts and totals,
            // no record per connection.
            let listsConnections = export != nil || report != nil || policies.count > 1
            var readError: CaptureError?
            let snapshot: Snapshot
            if shards > 1 {
                let others = (1..<shards).map { _ in TrafficAnalysis(configuration: configuration) }
                Self.keptUntilExit += others
                let (parts, error) = reader.read(into: [analysis] + others, listsConnections: listsConnections)
                progress?.stop()
                readError = error
                // The parts' last use: their records move into the snapshot.
                snapshot = parts.snapshot(
                    source: reader.snapshotSource, generatedAt: .now, policies: analysis.aggregator.policies)
            } else {
                do throws(CaptureError) {
                    try reader.read(into: analysis.tracker)
                } catch {
                    readError = error
                }
                progress?.stop()
                analysis.finish()
                snapshot = analysis.snapshot(
                    source: reader.snapshotSource, generatedAt: .now, isFinal: true, listsConnections: listsConnections)
            }
            let feedSummary = feeds.finish()
            Self.keptUntilExit.append(SnapshotBox(snapshot))
            try finish(snapshot, elapsed: ContinuousClock.now - started, error: readError, feedSummary: feedSummary)
        case .session:
            guard let session else { return }
            let progress = session.readProgress.flatMap(BatchProgress.start)
            session.start()
            let deadline = duration.map { started.advanced(by: .milliseconds(Int64($0 * 1000))) }
            while !session.isFinished {
                if StopSignal.requested || deadline.map({ ContinuousClock.now >= $0 }) == true {
                    session.stop()
                    break
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            let outcome = session.waitUntilFinished()
            progress?.stop()
            let feedSummary = feeds.finish()
            try finish(
                outcome.snapshot, elapsed: ContinuousClock.now - started, error: outcome.error,
                feedSummary: feedSummary)
        }
    }

    /// The caps (defaults, then each --limit) and the policy connections are judged under.
    /// - Parameter shards: analyses sharing the file: the flow and attempt tables are split
    ///   between them, so the run's memory stays what the caps say.
    func analysisConfiguration(policies: [Policy], shards: Int = 1) -> TrafficAnalysis.Configuration {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.policy = policies.first ?? .intermediate
        configuration.aggregation.otherPolicies = Array(policies.dropFirst())
        for limit in limits { limit.apply(to: &configuration) }
        if shards > 1 {
            configuration.tracker.maximumConnections = max(1, configuration.tracker.maximumConnections / shards)
            configuration.tracker.maximumAttempts = max(1, configuration.tracker.maximumAttempts / shards)
        }
        return configuration
    }

    /// How many analyses read the file (`--threads`): one per core (at most 4) for a batch read of a
    /// regular, uncompressed file (each shard reads it), one whenever events must follow the
    /// capture's order (`--log`) or the key log is read (one key log serves one tracker).
    func shardCount(mode: Mode, source: any PacketSource) -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard mode == .wholeFile, log == nil, keyLogPath == nil,
            let reader = source as? PcapFileReader, reader.canBeReadAgain
        else {
            if let threads, threads > 1 {
                FileHandle.standardError.write(
                    Data(
                        ("tlstop: --threads \(threads) applies to a regular, uncompressed file read with --batch, "
                            + "without --log or --keylog; reading on one thread\n").utf8))
            }
            return 1
        }
        return threads ?? min(4, max(1, cores))
    }

    /// A snapshot kept until the exit (its records are freed with the process, not one by one).
    final class SnapshotBox {
        let snapshot: Snapshot
        init(_ snapshot: Snapshot) { self.snapshot = snapshot }
    }

    /// What the run keeps until the process exits, which frees it all at once.
    nonisolated(unsafe) static var keptUntilExit: [AnyObject] = []

    /// Where the dashboard's `e` writes: `--export`, else a new file in the folder tlstop was
    /// started in (named when the key is pressed).
    var dashboardExportPath: String? { export?.path }

    /// The event log and metrics recorder asked for; a log that cannot be opened ends the run here.
    private func openFeeds(policy: Policy) throws(CommandError) -> Feeds {
        do throws(EventLog.OpenError) {
            // A file can be read slower while the log catches up; a live capture cannot wait.
            return try Feeds(
                logPath: log, logWhenFull: readFile != nil ? .wait : .drop, metrics: metrics,
                topHosts: metricsTopHosts, policy: policy)
        } catch {
            throw CommandError(error.description)
        }
    }

    /// Binds the metrics listener (before dropping root, so any port works).
    private func startMetrics(_ feeds: Feeds, session: CaptureSession) throws(CommandError) {
        do throws(MetricsServer.StartError) {
            try feeds.startMetrics(on: metrics) { session.snapshot }
        } catch {
            throw CommandError(error.description)
        }
    }

    /// `PREFIX/share/tlstop/themes` beside an installed `PREFIX/bin/tlstop` (`make install`).
    static var installedThemes: String? {
        // The binary itself, however it was started (a bare name found on PATH, a symlink).
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        let executable = URL(fileURLWithPath: path)
        let folder = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/tlstop/themes").path
        return FileManager.default.fileExists(atPath: folder) ? folder : nil
    }

    /// The themes `t` cycles through: the chosen one first, then the other built-ins.
    private func loadThemes(environment: [String: String]) throws(CommandError) -> [Theme] {
        let chosen: Theme
        do {
            chosen = try ThemeLocator.load(theme, environment: environment, systemDirectory: Self.installedThemes)
        } catch {
            throw CommandError("theme '\(theme)': \(error)")
        }
        let others = BuiltInThemes.all.compactMap { BuiltInThemes.theme(named: $0.name) }.filter {
            $0.name != chosen.name
        }
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return noColor ? [chosen] : [chosen] + others
    }

    /// The interface or file the capture reads from.
    private func openSource() throws(CommandError) -> any PacketSource {
        do throws(CaptureError) {
            if let readFile {
                let reader = try PcapFileReader(path: readFile, filter: filter)
                reader.realtime = realtime
                return reader
            }
            var options = PcapLiveSource.Options(interface: interface ?? Interfaces.defaultInterface(), filter: filter)
            options.promiscuous = promisc
            options.bufferMiB = bufferMiB
            return try PcapLiveSource(options: options)
        } catch {
            throw error.commandError
        }
    }

    /// `--keylog`: read whole before a file is read (`-r` without `--realtime`), followed otherwise.
    private func attachKeyLog(to analysis: TrafficAnalysis) throws(CommandError) -> KeyLogFile? {
        guard let keyLogPath else { return nil }
        let file: KeyLogFile
        do throws(CaptureError) {
            file = try KeyLogFile(path: keyLogPath)
        } catch {
            throw error.commandError
        }
        if readFile != nil, !realtime { file.readAll() } else { file.follow() }
        analysis.tracker.keyLog = file.keyLog
        return file
    }

    /// `--probe`: live captures only (a file's servers may be anywhere, and long gone).
    private func attachProber(to analysis: TrafficAnalysis) -> ListenerProber? {
        guard readFile == nil, probe != .off else { return nil }
        let probes = ListenerProbes(scope: probe)
        analysis.probes = probes
        let prober = ListenerProber(probes: probes)
        prober.start()
        return prober
    }

    /// A live capture learns the host's addresses (for each connection's direction) and, when it
    /// may read other users' /proc/PID/fd, looks up the process behind each connection. Says
    /// which, for the header and the snapshot; nil for files, which have no processes.
    private func attachProcessLookup(to tracker: FlowTracker) -> String? {
        guard readFile == nil else { return nil }
        tracker.localAddresses = Interfaces.localAddresses()
        if noProcesses { return "off: --no-processes" }
        guard ProcessAttributor.canAttribute else {
            let who = PrivilegePlan.Account.name(of: geteuid()) ?? String(geteuid())
            return
                "off: '\(who)' cannot read other users' /proc/PID/fd (needs root, or CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)"
        }
        tracker.processLookup = ProcessAttributor()
        return "on"
    }

    /// Becomes the plan's user (tcpdump's -Z), then checks that every file the run will write can
    /// still be written, so a long capture never ends unable to save.
    private func giveUpRoot(_ plan: PrivilegePlan, dashboard: Bool) throws(CommandError) {
        do throws(CaptureError) {
            // Process attribution reads other users' /proc/PID/fd: keep only what that needs.
            try PrivilegeDrop.carry(out: plan, keepingProcessAccess: readFile == nil && !noProcesses)
            var targets: [OutputCheck.Target] = []
            if let export {
                targets.append(
                    OutputCheck.Target(path: export.path, purpose: dashboard ? "--export (key e)" : "--export"))
            } else if dashboard {
                targets.append(
                    OutputCheck.Target(path: DashboardApp.defaultExportPath(), purpose: "dashboard exports (key e)"))
            }
            if let report {
                targets.append(
                    OutputCheck.Target(path: report.path, purpose: dashboard ? "--report (key r)" : "--report"))
            }
            try OutputCheck.check(targets, as: plan.who)
        } catch {
            throw error.commandError
        }
        if let log, log != "-" {
            let folder = URL(fileURLWithPath: log).deletingLastPathComponent().path
            if access(folder, W_OK) != 0 {
                FileHandle.standardError.write(
                    Data(
                        ("tlstop: warning: --log folder '\(folder)' is not writable by \(plan.who): after log rotation "
                            + "SIGHUP cannot start a new file (events keep going to the old one)\n").utf8))
            }
        }
    }

    /// Prints the summary and writes the export; throws if the capture ended on an error.
    private func finish(_ snapshot: Snapshot, elapsed: Duration, error: CaptureError?, feedSummary: String?)
        throws(CommandError)
    {
        // With `--log -` the events own stdout: the summary goes to stderr.
        var summary = BatchSummary(snapshot: snapshot, elapsed: elapsed).text
        if let feedSummary { summary += feedSummary + "\n" }
        func say(_ text: String) {
            if log == "-" { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: "") }
        }
        say(summary)
        if let export {
            do {
                try snapshot.export(to: export.path)
                say(
                    "exported \(snapshot.connections.count) connections and \(snapshot.hosts.count) hosts to \(export.path)\n"
                )
            } catch {
                throw CommandError("cannot write --export '\(export.path)': \(error.localizedDescription)")
            }
        }
        if let report {
            do {
                try snapshot.writeReport(to: report.path, generator: "tlstop \(TLSTopCommand.version)")
                say("wrote the compliance report to \(report.path)\n")
            } catch {
                throw CommandError("cannot write --report '\(report.path)': \(error.localizedDescription)")
            }
        }
        if let error { throw error.commandError }
    }
}

extension Timestamp {
    static var now: Timestamp {
        let now = Date().timeIntervalSince1970
        return Timestamp(nanoseconds: Int64(now * 1_000_000_000))
    }
}
