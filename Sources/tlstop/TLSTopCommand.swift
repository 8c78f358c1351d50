import ArgumentParser
import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopExport
import TLSTopUI

/// The command line: options, their checks, and `main`. The run itself is `execute(environment:)`
/// (TLSTopCommand+Run.swift), which throws instead of exiting, so tests run it in-process.
@main
struct TLSTopCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "tlstop",
        abstract:
            "Show how well every network connection is encrypted: TLS version, cipher, key exchange, certificate.",
        discussion: """
            Reads a capture file (pcap or pcapng) or captures live, and reports, per connection and per host,
            the TLS version, cipher suite, key-exchange group, certificate and whether the connection is
            encrypted at all: on a dashboard, or headless with --batch.

            Examples:
              tlstop -r capture.pcap
              tlstop -r capture.pcap --batch --export snapshot.json
              tlstop -r capture.pcapng -f 'tcp port 443' --batch --export snapshot.csv
              sudo tlstop -i eth0
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
            "Once the capture is open, switch from root to this user. Default: the user who ran sudo; else nobody for a live capture (a file read by root stays root).",
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

    @Option(
        help: ArgumentHelp(
            "Write the snapshot to this file (.json or .csv); the dashboard's e writes there too.", valueName: "path"),
        transform: { path throws(ValidationError) in try ExportTarget(parsing: path) })
    var export: ExportTarget?

    @Option(
        help: ArgumentHelp(
            "Write a compliance report to this file (.md or .html): services, versions, suites, groups, certificates, plaintext and findings per policy; the dashboard's r writes there too.",
            valueName: "path"),
        transform: { path throws(ValidationError) in try ReportTarget(parsing: path) })
    var report: ReportTarget?

    @Option(
        help: ArgumentHelp(
            "Write one JSON line (ECS field names) per classified connection and per finding to this file ('-': stdout); reopened on SIGHUP.",
            valueName: "path"))
    var log: String?

    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics (a bare PORT listens on 127.0.0.1).",
            valueName: "host:port"),
        transform: { text throws(ValidationError) in try ListenEndpoint.parsed(text) })
    var metrics: ListenEndpoint?

    @Option(help: ArgumentHelp("Hosts given their own metrics series (the busiest ones).", valueName: "n"))
    var metricsTopHosts = 20

    @Option(
        help: ArgumentHelp(
            "Threads that analyze a file read with --batch, each taking the flows of some address pairs (default: one per core, at most 4; always 1 with --log or --keylog, whose events follow the capture's order).",
            valueName: "n"))
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Judge connections by these policies, separated by commas (the first sets findings and grades): "
                + Policy.Profile.allCases.map(\.rawValue).joined(separator: ", ")
                + ", or a policy file (TOML).",
            valueName: "profile|file[,…]"))
    var policy = PolicyChoice(.intermediate)

    @Option(
        name: .customLong("limit"),
        help: ArgumentHelp(
            "Set a resource cap, repeatable: "
                + TrafficAnalysis.Configuration.limits.map { "\($0.name) (\($0.meaning))" }.joined(separator: ", ")
                + ". Values take k, M, G.",
            valueName: "name=value"),
        transform: { text throws(ValidationError) in try LimitSetting(parsing: text) })
    var limits: [LimitSetting] = []

    func validate() throws {
        if readFile != nil, interface != nil {
            throw ValidationError("-r and -i exclude each other: read a file or capture live")
        }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        guard (0...1000).contains(metricsTopHosts) else { throw ValidationError("--metrics-top-hosts must be 0…1000") }
        if log == "-", !batch {
            throw ValidationError("--log - writes to stdout, where the dashboard draws: give a file, or use --batch")
        }
        guard (1...4096).contains(bufferMiB) else { throw ValidationError("-B must be 1…4096 MiB") }
        if let threads, !(1...16).contains(threads) { throw ValidationError("--threads must be 1…16") }
    }

    /// Parses the arguments, runs, and exits: 0 when the run ended well, 1 with one line on
    /// standard error otherwise (ArgumentParser's own message and usage for a bad command line).
    static func main() {
        let command: TLSTopCommand
        do {
            command = try parse()
        } catch {
            exit(withError: error)
        }
        do throws(CommandError) {
            try command.execute()
        } catch {
            FileHandle.standardError.write(Data("tlstop: \(error.description)\n".utf8))
            Foundation.exit(1)
        }
        // Everything is written. Tearing down the tables object by object (a million flows in a
        // large capture) would only delay the exit by seconds; the kernel frees it all at once.
        fflush(nil)
        Foundation.exit(0)
    }
}
