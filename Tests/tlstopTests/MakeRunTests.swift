import Foundation
import Testing

/// `make run`, the first command of the README: the dashboard on the demo capture in a terminal,
/// the batch summary without one. TLSTOP names the binary the tests built (no build inside a test).
@Suite(
    .serialized,
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "needs make and tmux"))
struct MakeRunTests {
    typealias E2E = DashboardEndToEndTests
    static let repository = CommandLineTests.repository.path

    @Test func onATerminalMakeRunOpensTheDashboardOnTheDemo() throws {
        let session = "tlstop-make-run-\(getpid())"
        try E2E.startSession([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "sh", "-c",
            "make -C \(Self.repository) --no-print-directory run TLSTOP=\(CommandLineTests.binary.path); sleep 30",
        ])
        defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
        _ = try E2E.waitFor(session, "end of file")
        // The header can say so a redraw before the hosts pane shows the last snapshot: wait for a
        // host the demo ends with, then read the whole screen.
        let screen = try E2E.waitFor(session, "weak-rsa-key")
        let lines = screen.split(separator: "\n")
        #expect(lines.first?.hasPrefix(" tlstop ─ Tests/Fixtures/pcaps/demo.pcap") == true, "\(screen)")
        #expect(screen.contains("Hosts · sorted by severity"))
        // The demo's kinds of host: clear text with a password first, weak TLS, post-quantum.
        #expect(lines.contains { $0.contains("plaintext http") && $0.contains("cleartext-credentials") }, "\(screen)")
        #expect(lines.contains { $0.contains("weak-rsa-key") })
        // Filtered to the demo names: the post-quantum hosts, their group whole in the key exchange column.
        _ = try E2E.tmux(["send-keys", "-t", session, "/"])
        _ = try E2E.tmux(["send-keys", "-t", session, "-l", "demo.example"])
        _ = try E2E.tmux(["send-keys", "-t", session, "Enter"])
        let filtered = try E2E.waitFor(session, "filter: demo.example")
        let rows = filtered.split(separator: "\n").filter {
            $0.contains(".demo.example") && $0.contains("X25519MLKEM768 ")
        }
        #expect(rows.count == 2, "\(filtered)")
        // The grade cell holds "A+" and the marker column whole.
        #expect(rows.allSatisfy { $0.hasPrefix("│A+ ") }, "\(rows)")
        _ = try E2E.tmux(["send-keys", "-t", session, "q"])
    }

    @Test func withoutATerminalMakeRunPrintsTheBatchSummary() throws {
        let export = CommandLineTests.temporary("make-run.json")
        defer { try? FileManager.default.removeItem(at: export) }
        let run = try CommandLineTests.run(
            [
                "-C", Self.repository, "--no-print-directory", "run", "TLSTOP=\(CommandLineTests.binary.path)",
                "EXPORT=\(export.path)",
            ], executable: "/usr/bin/make")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("connections: 18 (tls 12, plaintext 4, quic 1, ssh 1)"), "\(run.output)")
        #expect(run.output.contains("exported 18 connections and 18 hosts to \(export.path)"))
    }

    /// The demo holds what the README promises: post-quantum, clear-text, weak and clean hosts.
    @Test func theDemoCaptureHasEveryKindOfHost() throws {
        let export = CommandLineTests.temporary("demo.json")
        defer { try? FileManager.default.removeItem(at: export) }
        let demo = CommandLineTests.fixtures.appendingPathComponent("demo.pcap").path
        let run = try CommandLineTests.run(["-r", demo, "--batch", "--export", export.path])
        try #require(run.status == 0, "\(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any])
        let hosts = try #require(json["hosts"] as? [[String: Any]])
        let connections = try #require(json["connections"] as? [[String: Any]])
        #expect(hosts.count == 18)
        let postQuantum = connections.filter { $0["pq"] as? Bool == true }
        #expect(Set(postQuantum.compactMap { $0["sni"] as? String }) == ["pq.demo.example", "hybrid.demo.example"])
        #expect(postQuantum.allSatisfy { $0["group"] as? String == "X25519MLKEM768" })
        let plaintext = connections.filter { $0["protocol"] as? String == "plaintext" }
        #expect(plaintext.count == 4)
        let weak = hosts.filter { ["critical", "warn"].contains($0["severity"] as? String ?? "") }
        #expect(weak.count >= 8, "\(weak.map { $0["worst_finding"] ?? "-" })")
        let clean = connections.filter {
            $0["version"] as? String == "TLSv1.3"
                && ($0["findings"] as? [[String: Any]])?.allSatisfy {
                    ($0["severity"] as? String) == "info" || ($0["severity"] as? String) == "ok"
                } == true
        }
        #expect(!clean.isEmpty)
    }
}
