import ArgumentParser
import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopExport
import TLSTopUI

@main
struct TLSTopCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "tlstop",
        abstract:
            "Show how well every network connection is encrypted: TLS version, cipher, key exchange, certificate.",
        discussion: """
            Reads a capture file (pcap or pcapng) and reports, per connection and per host, the TLS version,
            cipher suite, key-exchange group, certificate and whether the connection is encrypted at all.

            Examples:
              tlstop -r capture.pcap --batch --export snapshot.json
              tlstop -r capture.pcapng -f 'tcp port 443' --batch --export snapshot.csv
              tlstop -i eth0 --batch --log /var/log/tlstop/events.ndjson --metrics 127.0.0.1:9810
            """,
        version: version)

    @Option(
        name: [.customShort("r"), .customLong("read")],
        help: ArgumentHelp("Read packets from a pcap or pcapng file.", valueName: "file"))
    var readFile: String?

    @Option(
        name: [.customShort("i"), .customLong("interface")],
        help: ArgumentHelp(
            "Capture live on this interface ('any' for all). Default: the first one up.", valueName: "iface"))
    var interface: String?

    @Option(
        name: [.customShort("f"), .customLong("filter")],
        help: ArgumentHelp("BPF capture filter, as in tcpdump.", valueName: "expression"))
    var filter: String?

    @Option(
        name: .customLong("keylog"),
        help: ArgumentHelp(
            "TLS key log (SSLKEYLOGFILE format): opens TLS 1.3 handshakes to read their certificates; followed as it grows on a live capture.",
            valueName: "file"))
    var keyLogPath: String?

    @Option(
        name: .customLong("probe"),
        help: ArgumentHelp(
            "Live capture: when a TLS 1.3 connection hides its certificate, open one handshake of tlstop's own to that listener to read it (once per listener and name an hour): inbound (this host's listeners, the default), all, or off.",
            valueName: "scope"))
    var probe: ProbeScope = .inbound

    @Flag(help: "Put the interface in promiscuous mode (off by default).")
    var promisc = false

    @Option(name: .customShort("B"), help: ArgumentHelp("Kernel capture buffer size in MiB.", valueName: "MiB"))
    var bufferMiB = 32

    @Option(help: ArgumentHelp("Stop a live capture after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Flag(help: "Replay a capture file at the pace of its timestamps.")
    var realtime = false

    @Option(
        name: .customShort("Z"),
        help: ArgumentHelp(
            "After opening a live capture, switch from root to this user (default nobody; with -r only when given).",
            valueName: "user"))
    var user: String?

    @Flag(help: "Keep running as root after the capture is open.")
    var noDropPrivileges = false

    @Flag(help: "Do not look up the local process behind each connection (live capture).")
    var noProcesses = false

    @Option(
        help: ArgumentHelp(
            "Dashboard theme: dark, light, high-contrast, colorblind, monochrome, or a .theme file.",
            valueName: "name|path"))
    var theme = "dark"

    @Flag(help: "Headless: process, print a summary, write --export, exit.")
    var batch = false

    @Option(help: ArgumentHelp("Write the snapshot to this file (.json or .csv).", valueName: "path"))
    var export: String?

    @Option(
        help: ArgumentHelp(
            "Write one JSON line (ECS field names) per classified connection and per finding to this file ('-': stdout); reopened on SIGHUP.",
            valueName: "path"))
    var log: String?

    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics (a bare PORT listens on 127.0.0.1).",
            valueName: "host:port"))
    var metrics: String?

    @Option(help: ArgumentHelp("Hosts given their own metrics series (the busiest ones).", valueName: "n"))
    var metricsTopHosts = 20

    @Option(
        help: ArgumentHelp(
            "Judge connections by this policy: modern, intermediate or old (Mozilla Server Side TLS), or a policy file (TOML).",
            valueName: "profile|file"))
    var policy = "intermediate"

    @Option(
        name: .customLong("limit"),
        help: ArgumentHelp(
            "Set a resource cap, repeatable: "
                + TrafficAnalysis.Configuration.limits.map { "\($0.name) (\($0.meaning))" }.joined(separator: ", ")
                + ". Values take k, M, G.",
            valueName: "name=value"))
    var limits: [String] = []

    func validate() throws {
        var configuration = TrafficAnalysis.Configuration()
        for limit in limits {
            do throws(TrafficAnalysis.Configuration.LimitError) {
                try configuration.setLimit(limit)
            } catch {
                throw ValidationError(error.description)
            }
        }
        if let export {
            let ext = URL(fileURLWithPath: export).pathExtension.lowercased()
            guard ext == "json" || ext == "csv" else {
                throw ValidationError("--export '\(export)': the file name must end in .json or .csv")
            }
        }
        if readFile != nil, interface != nil {
            throw ValidationError("-r and -i exclude each other: read a file or capture live")
        }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if let metrics, ListenEndpoint(parsing: metrics) == nil {
            throw ValidationError(
                "--metrics '\(metrics)': expected HOST:PORT, [IPv6]:PORT or PORT, with an IP address and a port 1-65535"
            )
        }
        guard (0...1000).contains(metricsTopHosts) else { throw ValidationError("--metrics-top-hosts must be 0…1000") }
        if log == "-", !batch {
            throw ValidationError("--log - writes to stdout, where the dashboard draws: give a file, or use --batch")
        }
        guard (1...4096).contains(bufferMiB) else { throw ValidationError("-B must be 1…4096 MiB") }
    }

    /// The caps (defaults, then each --limit) and the policy connections are judged under.
    func analysisConfiguration(policy: Policy) -> TrafficAnalysis.Configuration {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.policy = policy
        for limit in limits { try? configuration.setLimit(limit) }  // checked in validate()
        return configuration
    }

    /// The built-in profile named, or the policy file at that path.
    func loadPolicy() -> Policy {
        if let profile = Policy.Profile(rawValue: policy) { return Policy.builtIn(profile) }
        // A regular file, read no further than the cap: `--policy /dev/zero` must not hang.
        var isDirectory: ObjCBool = false
        let attributes = try? FileManager.default.attributesOfItem(atPath: policy)
        guard FileManager.default.fileExists(atPath: policy, isDirectory: &isDirectory), !isDirectory.boolValue,
            attributes?[.type] as? FileAttributeType == .typeRegular,
            let handle = FileHandle(forReadingAtPath: policy),
            let data = try? handle.read(upToCount: PolicyFile.maximumSize + 1)
        else {
            fail("cannot read policy file '\(policy)'; use modern, intermediate, old or the path of a TOML policy file")
        }
        try? handle.close()
        do {
            return try PolicyFile.parse(String(decoding: data, as: UTF8.self))
        } catch {
            fail("policy file '\(policy)' \(error.description)")
        }
    }

    func run() throws {
        let policy = loadPolicy()
        if !batch {
            runDashboard(policy: policy)
        } else if let readFile, !realtime, metrics == nil {
            // Scrapes need published snapshots: with --metrics the file goes through a session.
            readWholeFile(readFile, policy: policy)
        } else {
            runSession(policy: policy)
        }
    }

    /// The event log and metrics recorder asked for; a log that cannot be opened ends the run here.
    private func openFeeds(policy: Policy) -> Feeds {
        do {
            // A file can be read slower while the log catches up; a live capture cannot wait.
            return try Feeds(
                logPath: log, logWhenFull: readFile != nil ? .wait : .drop,
                metrics: metrics.flatMap(ListenEndpoint.init(parsing:)), topHosts: metricsTopHosts, policy: policy)
        } catch {
            fail(error.description)
        }
    }

    /// Binds the metrics listener (before dropping root, so any port works).
    private func startMetrics(_ feeds: Feeds, session: CaptureSession) {
        do {
            try feeds.startMetrics(on: metrics.flatMap(ListenEndpoint.init(parsing:))) { session.snapshot }
        } catch {
            fail(error.description)
        }
    }

    /// The themes `t` cycles through: the chosen one first, then the other built-ins.
    private func loadThemes() -> [Theme] {
        let chosen: Theme
        do {
            chosen = try ThemeLocator.load(theme, environment: ProcessInfo.processInfo.environment)
        } catch {
            fail("theme '\(theme)': \(error)")
        }
        let others = BuiltInThemes.all.compactMap { BuiltInThemes.theme(named: $0.name) }.filter {
            $0.name != chosen.name
        }
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return noColor ? [chosen] : [chosen] + others
    }

    /// The interactive dashboard on the terminal.
    private func runDashboard(policy: Policy) {
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            fail("the dashboard needs a terminal; use --batch (with --export) for scripts and pipes")
        }
        let themes = loadThemes()
        let source = openSource()
        let feeds = openFeeds(policy: policy)
        let analysis = TrafficAnalysis(configuration: analysisConfiguration(policy: policy))
        feeds.attach(to: analysis)
        let keyLog = attachKeyLog(to: analysis)
        let prober = attachProber(to: analysis)
        defer { prober?.stop() }
        let session = CaptureSession(source: source, analysis: analysis)
        startMetrics(feeds, session: session)
        dropPrivilegesIfAsked()
        session.processAttribution = attachProcessLookup(to: analysis.tracker)
        StopSignal.install()
        session.start()
        defer { keyLog?.stopFollowing() }
        _ = DashboardApp(session: session, themes: themes, exportPath: export, policyName: policy.name).run()
        session.stop()
        let outcome = session.waitUntilFinished()
        _ = feeds.finish()
        if let error = outcome.error { fail(error.message) }
    }

    /// The interface or file the capture reads from.
    private func openSource() -> any PacketSource {
        do {
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
            fail(error.message)
        }
    }

    /// `-r FILE`: read as fast as possible on this thread.
    private func readWholeFile(_ readFile: String, policy: Policy) {
        let started = ContinuousClock.now
        let analysis = TrafficAnalysis(configuration: analysisConfiguration(policy: policy))
        let reader: PcapFileReader
        do {
            reader = try PcapFileReader(path: readFile, filter: filter)
        } catch {
            fail(error.message)
        }
        let feeds = openFeeds(policy: policy)
        feeds.attach(to: analysis)
        _ = attachKeyLog(to: analysis)
        dropPrivilegesIfAsked()
        var readError: CaptureError?
        do {
            try reader.read(into: analysis.tracker)
        } catch {
            readError = error
        }
        analysis.finish()
        let feedSummary = feeds.finish()
        let elapsed = ContinuousClock.now - started
        let source = Snapshot.Source(kind: "file", name: readFile, linkType: reader.linkTypeName, filter: filter)
        let snapshot = analysis.snapshot(source: source, generatedAt: .now, isFinal: true)
        finish(snapshot, elapsed: elapsed, error: readError, feedSummary: feedSummary)
    }

    /// A live interface (or a file replayed with --realtime) on the capture thread, until the
    /// input ends, --duration passes, or SIGINT/SIGTERM arrives.
    private func runSession(policy: Policy) {
        let started = ContinuousClock.now
        let source = openSource()
        let feeds = openFeeds(policy: policy)
        let analysis = TrafficAnalysis(configuration: analysisConfiguration(policy: policy))
        feeds.attach(to: analysis)
        let keyLog = attachKeyLog(to: analysis)
        defer { keyLog?.stopFollowing() }
        let prober = attachProber(to: analysis)
        defer { prober?.stop() }
        let session = CaptureSession(source: source, analysis: analysis)
        startMetrics(feeds, session: session)
        dropPrivilegesIfAsked()
        session.processAttribution = attachProcessLookup(to: analysis.tracker)
        StopSignal.install()
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
        let feedSummary = feeds.finish()
        finish(outcome.snapshot, elapsed: ContinuousClock.now - started, error: outcome.error, feedSummary: feedSummary)
    }

    /// `--keylog`: read whole before a file is read (`-r` without `--realtime`), followed otherwise.
    private func attachKeyLog(to analysis: TrafficAnalysis) -> KeyLogFile? {
        guard let keyLogPath else { return nil }
        let file: KeyLogFile
        do {
            file = try KeyLogFile(path: keyLogPath)
        } catch {
            fail(error.message)
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
            let who = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? String(geteuid())
            return
                "off: '\(who)' cannot read other users' /proc/PID/fd (needs root, or CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)"
        }
        tracker.processLookup = ProcessAttributor()
        return "on"
    }

    /// Drops root once the capture is open (tcpdump's -Z), then checks that the export can still be
    /// written, so a long capture never ends unable to save.
    private func dropPrivilegesIfAsked() {
        // A live capture is what needs root; reading a file does not, so root is only given up
        // there when -Z asks for it (and a root-owned export folder keeps working).
        guard !noDropPrivileges, geteuid() == 0, readFile == nil || self.user != nil else { return }
        let user = self.user ?? "nobody"
        do {
            // Process attribution reads other users' /proc/PID/fd: keep only what that needs.
            try PrivilegeDrop.drop(to: user, keepingProcessAccess: readFile == nil && !noProcesses)
        } catch {
            fail(error.message)
        }
        if let log, log != "-" {
            let folder = URL(fileURLWithPath: log).deletingLastPathComponent().path
            if access(folder, W_OK) != 0 {
                FileHandle.standardError.write(
                    Data(
                        ("tlstop: warning: --log folder '\(folder)' is not writable by '\(user)': after log rotation "
                            + "SIGHUP cannot start a new file (events keep going to the old one)\n").utf8))
            }
        }
        if let export {
            let folder = URL(fileURLWithPath: export).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: folder) else {
                fail("cannot write --export '\(export)': folder '\(folder)' does not exist")
            }
            guard access(folder, W_OK) == 0 else {
                fail(
                    "cannot write --export '\(export)' as '\(user)' after dropping root: '\(folder)' is not "
                        + "writable; choose a writable folder, another -Z user, or --no-drop-privileges")
            }
        }
    }

    /// Prints the summary, writes the export, and exits non-zero if the capture ended on an error.
    private func finish(_ snapshot: Snapshot, elapsed: Duration, error: CaptureError?, feedSummary: String?) {
        // With `--log -` the events own stdout: the summary goes to stderr.
        var summary = BatchSummary(snapshot: snapshot, elapsed: elapsed).text
        if let feedSummary { summary += feedSummary + "\n" }
        if log == "-" {
            FileHandle.standardError.write(Data(summary.utf8))
        } else {
            print(summary, terminator: "")
        }
        if let export {
            do {
                try snapshot.export(to: export)
                let line =
                    "exported \(snapshot.connections.count) connections and \(snapshot.hosts.count) hosts to \(export)\n"
                if log == "-" { FileHandle.standardError.write(Data(line.utf8)) } else { print(line, terminator: "") }
            } catch {
                fail("cannot write --export '\(export)': \(error.localizedDescription)")
            }
        }
        if let error { fail(error.message) }
        // Everything is written. Tearing down the tables object by object (a million flows in a
        // large capture) would only delay the exit by seconds; the kernel frees it all at once.
        fflush(nil)
        Foundation.exit(0)
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("tlstop: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

extension Timestamp {
    static var now: Timestamp {
        let now = Date().timeIntervalSince1970
        return Timestamp(nanoseconds: Int64(now * 1_000_000_000))
    }
}

extension ProbeScope: ExpressibleByArgument {}
