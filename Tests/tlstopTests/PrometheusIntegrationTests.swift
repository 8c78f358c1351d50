import Foundation
import Testing

/// `--metrics` end to end with a real Prometheus (Debian's package, which `make test` installs):
/// in a network namespace of its own, tlstop captures live on one end of a veth pair while
/// tcpreplay replays fixtures into the other; Prometheus scrapes tlstop over the namespace's
/// loopback every second; the test asks Prometheus's HTTP API for the series and compares them with
/// what a batch run of the same fixtures reports.
@Suite(.serialized, .enabled(if: geteuid() == 0, "network namespaces and live capture need root"))
struct PrometheusIntegrationTests {
    static let fixtures = [
        "many-conns.pcap", "plain-http-post-password.pcap", "policy-cbc-tls12.pcap", "policy-anon.pcap", "quic-v1.pcap",
    ]
    static let rules = CommandLineTests.repository.appendingPathComponent("docs/prometheus/tlstop-alerts.yml")

    /// Expected series from the batch exports of the same fixtures.
    struct Expected {
        var packets = 0
        var connections: [String: Int] = [:]  // "protocol/severity"
        var versions: [String: Int] = [:]
        var findings: [String: Int] = [:]
    }

    static func expected(folder: URL) throws -> Expected {
        var expected = Expected()
        for name in fixtures {
            let export = folder.appendingPathComponent(name + ".json")
            let result = try CommandLineTests.run([
                "-r", CommandLineTests.fixtures.appendingPathComponent(name).path, "--batch", "--export", export.path,
            ])
            #expect(result.status == 0, "\(result.error)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any] ?? [:]
            expected.packets += (json["stats"] as? [String: Any])?["packets"] as? Int ?? 0
            for connection in json["connections"] as? [[String: Any]] ?? [] {
                let protocolName = connection["protocol"] as? String ?? "?"
                guard protocolName != "unknown" else { continue }
                expected.connections["\(protocolName)/\(connection["severity"] as? String ?? "?")", default: 0] += 1
                if ["tls", "dtls", "quic", "sslv2"].contains(protocolName) {
                    expected.versions[connection["version"] as? String ?? "unknown", default: 0] += 1
                }
                for finding in connection["findings"] as? [[String: Any]] ?? [] {
                    expected.findings[finding["id"] as? String ?? "?", default: 0] += 1
                }
            }
        }
        return expected
    }

    /// Runs a command inside the namespace.
    static func inNamespace(_ namespace: String, _ command: [String], seconds: Double = 60) throws -> (
        status: Int32, output: String, error: String
    ) {
        try Subprocess.run("/usr/sbin/ip", ["netns", "exec", namespace] + command, seconds: seconds)
    }

    /// An instant query; the result as "label values joined by /" → value.
    static func query(_ namespace: String, _ promQL: String, by labels: [String]) throws -> [String: Int] {
        let result = try inNamespace(
            namespace,
            [
                LiveCaptureTests.tool("curl"), "-sG", "--max-time", "5", "--data-urlencode", "query=\(promQL)",
                "http://127.0.0.1:9090/api/v1/query",
            ])
        guard result.status == 0,
            let json = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            json["status"] as? String == "success",
            let rows = (json["data"] as? [String: Any])?["result"] as? [[String: Any]]
        else { return [:] }
        var values: [String: Int] = [:]
        for row in rows {
            let metric = row["metric"] as? [String: String] ?? [:]
            let key = labels.map { metric[$0] ?? "" }.joined(separator: "/")
            let value = (row["value"] as? [Any])?.last as? String
            values[key] = value.flatMap(Double.init).map { Int($0) }
        }
        return values
    }

    @Test func prometheusScrapesWhatTheReplayedFixturesContain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-prometheus-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let expected = try Self.expected(folder: folder)
        #expect(expected.connections["plaintext/critical"] == 1)

        let namespace = "tlstop-prom-\(getpid())"
        let ip = "/usr/sbin/ip"
        func sh(_ arguments: [String]) throws {
            let result = try Subprocess.run(ip, arguments, seconds: 30)
            try #require(result.status == 0, "ip \(arguments.joined(separator: " ")): \(result.error)")
        }
        _ = try? Subprocess.run(ip, ["netns", "del", namespace], seconds: 30)
        try sh(["netns", "add", namespace])
        defer {
            _ = try? Subprocess.run(ip, ["netns", "del", namespace], seconds: 30)
            try? FileManager.default.removeItem(at: folder)
        }
        // No IPv6 on the pair: router solicitations would add packets the fixtures do not have.
        _ = try Self.inNamespace(namespace, ["/usr/sbin/sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        _ = try Self.inNamespace(namespace, ["/usr/sbin/sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"])
        try sh(["-n", namespace, "link", "set", "lo", "up"])
        try sh(["-n", namespace, "link", "add", "replay0", "type", "veth", "peer", "name", "sensor0"])
        // Loopback fixtures carry frames up to 64 KiB.
        for link in ["replay0", "sensor0"] {
            try sh(["-n", namespace, "link", "set", link, "mtu", "65535", "up"])
        }

        let tlstopLog = folder.appendingPathComponent("tlstop.log")
        let tlstop = try Subprocess.spawn(
            ip,
            [
                "netns", "exec", namespace, CommandLineTests.binary.path, "-i", "sensor0", "--batch", "--duration",
                "120",
                "--metrics", "127.0.0.1:9810",
            ], output: tlstopLog, error: tlstopLog)
        defer {
            tlstop.signal(SIGTERM)
            tlstop.wait(seconds: 30)
        }

        let configuration = folder.appendingPathComponent("prometheus.yml")
        try Data(
            """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(Self.rules.path)
            scrape_configs:
              - job_name: tlstop
                static_configs:
                  - targets: ['127.0.0.1:9810']

            """.utf8
        ).write(to: configuration)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let prometheusLog = folder.appendingPathComponent("prometheus.log")
        let prometheus = try Subprocess.spawn(
            ip,
            [
                "netns", "exec", namespace, "/usr/bin/prometheus", "--config.file=\(configuration.path)",
                "--storage.tsdb.path=\(folder.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:9090",
            ], output: prometheusLog, error: prometheusLog)
        defer {
            prometheus.signal(SIGTERM)
            prometheus.wait(seconds: 30)
        }

        // Prometheus up and scraping tlstop before anything is replayed.
        var up = false
        for _ in 0..<60 where !up {
            up = (try Self.query(namespace, #"up{job="tlstop"}"#, by: []))[""] == 1
            if !up { Thread.sleep(forTimeInterval: 0.5) }
        }
        let tlstopOutput = (try? String(contentsOf: tlstopLog, encoding: .utf8)) ?? ""
        let prometheusOutput = (try? String(contentsOf: prometheusLog, encoding: .utf8)) ?? ""
        try #require(
            up,
            "Prometheus never scraped tlstop.\ntlstop: \(tlstopOutput)\nprometheus: \(prometheusOutput.suffix(2000))")

        for name in Self.fixtures {
            let replay = try Self.inNamespace(
                namespace,
                [
                    "/usr/bin/tcpreplay", "-q", "-i", "replay0", "--topspeed",
                    CommandLineTests.fixtures.appendingPathComponent(name).path,
                ])
            #expect(replay.status == 0, "tcpreplay \(name): \(replay.error)")
        }

        // Wait for the plaintext session's report (it ends with FIN: reported after the linger)
        // and the next scrape, then compare every family with the batch runs.
        var connections: [String: Int] = [:]
        var packets: [String: Int] = [:]
        for _ in 0..<60 {
            // Every protocol and severity has a series from the start; the counted ones are not zero.
            connections = try Self.query(
                namespace, "sum by (protocol, severity) (tlstop_connections_total) > 0", by: ["protocol", "severity"])
            packets = try Self.query(namespace, "tlstop_packets_total", by: [])
            if connections == expected.connections && packets[""] == expected.packets { break }
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(connections == expected.connections)
        #expect(packets[""] == expected.packets)
        let versions = try Self.query(namespace, "sum by (version) (tlstop_tls_connections_total)", by: ["version"])
        #expect(versions == expected.versions)
        let findings = try Self.query(namespace, "sum by (finding) (tlstop_findings_total)", by: ["finding"])
        #expect(findings == expected.findings)
        // The documented alert rules: plaintext seen fires; the weak-TLS share is what the batch runs say.
        var alerts: [String: Int] = [:]
        for _ in 0..<20 {
            alerts = try Self.query(namespace, #"ALERTS{alertstate="firing"}"#, by: ["alertname"])
            if alerts["TLSTopPlaintextSeen"] == 1 { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(alerts["TLSTopPlaintextSeen"] == 1, "plaintext alert firing: \(alerts)")
        let tls = expected.connections.filter { $0.key.hasPrefix("tls/") || $0.key.hasPrefix("quic/") }
        let weak = tls.filter { $0.key.hasSuffix("/warn") || $0.key.hasSuffix("/critical") }.values.reduce(0, +)
        #expect(weak > 0)
        let share = Double(weak) / Double(tls.values.reduce(0, +))
        let result = try Self.inNamespace(
            namespace,
            [
                LiveCaptureTests.tool("curl"), "-sG", "--data-urlencode",
                #"query=sum(increase(tlstop_connections_total{protocol=~"tls|dtls|quic|sslv2", severity=~"warn|critical"}[15m])) / sum(increase(tlstop_connections_total{protocol=~"tls|dtls|quic|sslv2"}[15m]))"#,
                "http://127.0.0.1:9090/api/v1/query",
            ])
        let measured = result.output.split(separator: "\"").compactMap { Double($0) }.last
        #expect(
            measured.map { abs($0 - share) < 0.001 } == true, "weak share \(String(describing: measured)) vs \(share)")
        let checkRules = try Subprocess.run("/usr/bin/promtool", ["check", "rules", Self.rules.path])
        #expect(checkRules.status == 0, "\(checkRules.output)\(checkRules.error)")
        let hosts = try Self.query(namespace, "tlstop_host_connections", by: ["host", "port"])
        #expect(hosts["tlstop.test/44314"] != nil || !hosts.isEmpty, "top hosts have series: \(hosts)")
        #expect(hosts.count <= 20)

        // What Prometheus scraped passes promtool's lint.
        let scrape = try Self.inNamespace(
            namespace, ["/bin/sh", "-c", "curl -s http://127.0.0.1:9810/metrics | /usr/bin/promtool check metrics"])
        #expect(scrape.status == 0, "promtool: \(scrape.output)\(scrape.error)")
    }
}
