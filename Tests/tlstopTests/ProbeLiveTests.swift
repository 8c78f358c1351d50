import Foundation
import Testing

/// `--probe` on loopback: a TLS 1.3 server with an RSA-1024 certificate, a real client, and
/// tlstop's default live capture, which reads the certificate with a handshake of its own.
/// Capturing needs root (CI runs as root); elsewhere these tests are skipped.
@Suite(.serialized, .enabled(if: geteuid() == 0, "live capture needs root"))
struct ProbeLiveTests {
    static let certificates = CommandLineTests.repository.appendingPathComponent("Tests/Fixtures/certs-keylog")

    struct Run {
        var connections: [[String: Any]]
        var stats: [String: Any]
        /// SYNs without ACK to the server's port, as tcpdump saw them.
        var syns: Int
    }

    static func run(port: Int, arguments: [String], serverOptions: [String] = []) throws -> Run {
        let export = CommandLineTests.temporary("probe-\(port).json")
        let log = CommandLineTests.temporary("probe-\(port).log")
        let wire = CommandLineTests.temporary("probe-\(port).pcap")
        defer { for url in [export, log, wire] { try? FileManager.default.removeItem(at: url) } }
        let tcpdump = try LiveCaptureTests.launch(
            LiveCaptureTests.tool("tcpdump"),
            [
                "-i", "lo", "-U", "--immediate-mode", "-w", wire.path,
                "tcp port \(port) and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
            ])
        let server = try LiveCaptureTests.launch(
            LiveCaptureTests.tool("openssl"),
            [
                "s_server", "-accept", "\(port)", "-tls1_3", "-cert",
                certificates.appendingPathComponent("rsa1024.pem").path,
                "-key", certificates.appendingPathComponent("rsa1024.key").path, "-cipher", "DEFAULT@SECLEVEL=0",
                "-www",
                "-quiet",
            ] + serverOptions)
        defer {
            server.signal(SIGTERM)
            _ = server.wait(seconds: 10)
        }
        LiveCaptureTests.waitForPort(port)
        let capture = try LiveCaptureTests.launch(
            CommandLineTests.binary.path,
            ["-i", "lo", "-f", "tcp port \(port)", "--batch", "--duration", "60", "--export", export.path] + arguments,
            output: log)
        Thread.sleep(forTimeInterval: 1.5)  // libpcap attaches before the first SYN
        _ = try Subprocess.run(
            LiveCaptureTests.tool("openssl"),
            [
                "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "tlstop.test", "-tls1_3", "-cipher",
                "DEFAULT@SECLEVEL=0",
            ],
            input: "GET / HTTP/1.0\r\n\r\n", seconds: 30)
        Thread.sleep(forTimeInterval: 3)  // a snapshot asks for the probe; the probe runs
        capture.signal(SIGINT)
        let status = capture.wait(seconds: 30)
        Thread.sleep(forTimeInterval: 1.5)
        tcpdump.signal(SIGINT)
        _ = tcpdump.wait(seconds: 10)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any])
        let count = try Subprocess.run(
            LiveCaptureTests.tool("tcpdump"), ["-r", wire.path, "-n"], seconds: 30
        ).output.split(separator: "\n").count
        return Run(
            connections: json["connections"] as? [[String: Any]] ?? [], stats: json["stats"] as? [String: Any] ?? [:],
            syns: count)
    }

    static var port: Int { 46_100 + Int(getpid() % 40) * 2 }

    @Test func theDefaultLiveCaptureProbesTheListenerAndFindsItsWeakKey() throws {
        let run = try Self.run(port: Self.port, arguments: [])
        // The client's connection only: the probe's own is not traffic.
        #expect(run.connections.count == 1)
        let connection = try #require(run.connections.first)
        #expect(connection["version"] as? String == "TLSv1.3")
        #expect(connection["cert_source"] as? String == "probe")
        let findings = (connection["findings"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(findings.contains("weak-rsa-key"))
        let probe = try #require(connection["cert_probe"] as? [String: Any])
        #expect(probe["port"] as? Int == Self.port)
        #expect(probe["sni"] as? String == "tlstop.test")
        let probes = try #require(run.stats["probes"] as? [String: Any])
        #expect(probes["certificates"] as? Int == 1)
        #expect((probes["own_packets"] as? Int ?? 0) > 0)
        #expect(run.syns == 2, "the client's SYN and the probe's")
    }

    @Test func aHelloRetryRequestIsAnswered() throws {
        // The server takes only P-256: the probe's X25519 share gets a HelloRetryRequest.
        let run = try Self.run(port: Self.port + 1, arguments: [], serverOptions: ["-groups", "P-256"])
        let connection = try #require(run.connections.first)
        #expect(connection["hello_retry_request"] as? Bool == true)
        #expect(connection["cert_source"] as? String == "probe")
    }

    @Test func probeOffSendsNothingOfItsOwn() throws {
        let run = try Self.run(port: Self.port, arguments: ["--probe", "off"])
        #expect(run.connections.count == 1)
        let connection = try #require(run.connections.first)
        #expect(connection["cert"] == nil)
        #expect(connection["cert_source"] is NSNull)
        #expect(run.stats["probes"] == nil)
        #expect(run.syns == 1, "only the client's SYN on the wire")
    }
}
