import Foundation
import Testing

/// The dashboard in a real terminal: tmux runs `tlstop -r FIXTURE --realtime`, keys are sent with
/// send-keys and the screen read with capture-pane.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "needs tmux"))
struct DashboardEndToEndTests {
    static let tmux = "/usr/bin/tmux"

    /// Classic little-endian microsecond pcaps of one link type, played back to back: each file's
    /// packets are shifted to start 0.2 s after the previous file's last one.
    static func merged(_ names: [String]) throws -> URL {
        var output: [UInt8] = []
        var clock: Double?  // the first capture's own time, so certificates are judged as captured
        for name in names {
            let data = [UInt8](try Data(contentsOf: CommandLineTests.fixtures.appendingPathComponent(name)))
            func u32(_ at: Int) -> UInt32 {
                UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24
            }
            if output.isEmpty { output += data[0..<24] }
            var offset = 24
            var first: Double?
            var last = clock ?? 0
            while offset + 16 <= data.count {
                let time = Double(u32(offset)) + Double(u32(offset + 4)) / 1e6
                let origin = first ?? time
                first = origin
                let base = clock ?? origin
                clock = base
                last = base + (time - origin)
                var record = Array(data[offset..<(offset + 16)])
                let seconds = UInt32(last)
                let micros = UInt32((last - Double(seconds)) * 1e6)
                for index in 0..<4 {
                    record[index] = UInt8(truncatingIfNeeded: seconds >> (8 * UInt32(index)))
                    record[4 + index] = UInt8(truncatingIfNeeded: micros >> (8 * UInt32(index)))
                }
                let length = Int(u32(offset + 8))
                output += record + data[(offset + 16)..<(offset + 16 + length)]
                offset += 16 + length
            }
            clock = last + 0.2
        }
        let url = CommandLineTests.temporary("dashboard-mix.pcap")
        try Data(output).write(to: url)
        return url
    }

    static func tmux(_ arguments: [String]) throws -> String {
        try CommandLineTests.run(arguments, executable: tmux).output
    }

    /// Starts the session; the client returns once the server (which keeps nothing of ours) runs.
    static func startSession(_ arguments: [String]) throws {
        try Subprocess.spawn(tmux, arguments).wait(seconds: 30)
    }

    static func waitFor(_ session: String, _ text: String, seconds: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = ""
        while Date() < deadline {
            screen = try tmux(["capture-pane", "-p", "-t", session])
            if screen.contains(text) { return screen }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("'\(text)' never appeared; screen:\n\(screen)")
        return screen
    }

    @Test func filterExportAndQuitInARealTerminal() throws {
        let capture = try Self.merged([
            "tls13-x25519.pcap", "tls12-rsa-static.pcap", "http-plain.pcap", "tls10-ecdhe.pcap",
        ])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: capture)
        }
        let export = folder.appendingPathComponent("view.json").path
        let session = "tlstop-e2e-\(getpid())"
        let script = """
            cd \(folder.path) && sleep 0.5 && stty -g > before && \(CommandLineTests.binary.path) -r \(capture.path) --realtime \
            --no-drop-privileges --export \(export); echo $? > exit; stty -g > after; sleep 30
            """
        try Self.startSession([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "sh", "-c",
            script,
        ])
        defer { _ = try? Self.tmux(["kill-session", "-t", session]) }

        let screen = try Self.waitFor(session, "end of file")
        // The weak hosts come first and carry their markers: severity is never color alone.
        let rows = screen.split(separator: "\n")
        let firstHost = try #require(rows.first { $0.hasPrefix("│F ") || $0.hasPrefix("│B ") || $0.hasPrefix("│C ") })
        #expect(firstHost.contains("✖") || firstHost.contains("●"))
        let colored = try Self.tmux(["capture-pane", "-p", "-e", "-t", session])
        #expect(colored.contains("\u{1B}["), "the weak host row is highlighted")

        // Filter to the static-RSA host by its port, then export what is shown.
        let port = try #require(
            rows.first { $0.contains("RSA (static)") }?.split(separator: " ").compactMap { Int($0) }.first)
        _ = try Self.tmux(["send-keys", "-t", session, "/"])
        _ = try Self.tmux(["send-keys", "-t", session, "-l", "port:\(port)"])
        _ = try Self.tmux(["send-keys", "-t", session, "Enter"])
        _ = try Self.waitFor(session, "port:\(port)")
        _ = try Self.tmux(["send-keys", "-t", session, "e"])
        _ = try Self.waitFor(session, "hosts to \(export) (")
        _ = try Self.tmux(["send-keys", "-t", session, "q"])

        let exitFile = folder.appendingPathComponent("exit").path
        // `after` is written last: wait for it, not for `exit`, or the read races the shell.
        let afterFile = folder.appendingPathComponent("after").path
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOfFile: afterFile, encoding: .utf8))?.hasSuffix("\n") != true, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(
            (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == "0")
        let before = try? String(contentsOfFile: folder.appendingPathComponent("before").path, encoding: .utf8)
        let after = try? String(contentsOfFile: afterFile, encoding: .utf8)
        #expect(
            before != nil && before == after, "the terminal settings are restored: \(before ?? "-") vs \(after ?? "-")")

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: export))) as? [String: Any])
        let hosts = try #require(json["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["port"] as? Int } == [port])
        let connections = try #require(json["connections"] as? [[String: Any]])
        #expect(!connections.isEmpty && connections.allSatisfy { $0["server_port"] as? Int == port })
    }

    /// With `--log FILE`, SIGHUP reopens the log instead of ending tlstop; when the terminal itself
    /// goes away (tmux killed, ssh dropped) the dashboard must still end, with the log written.
    @Test func theDashboardEndsWhenItsTerminalGoesAwayEvenWithALog() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-hup-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("events.ndjson").path
        let pidFile = folder.appendingPathComponent("pid").path
        let session = "tlstop-hup-\(getpid())"
        let fixture = CommandLineTests.fixtures.appendingPathComponent("many-conns.pcap").path
        let script =
            "echo $$ > \(pidFile); exec \(CommandLineTests.binary.path) -r \(fixture) --no-drop-privileges --log \(log)"
        try Self.startSession([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "sh", "-c",
            script,
        ])
        _ = try Self.waitFor(session, "tlstop.test")
        Thread.sleep(forTimeInterval: 0.5)
        let pid = try #require(
            Int32(
                (try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        _ = try Self.tmux(["kill-session", "-t", session])
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(kill(pid, 0) != 0, "tlstop still runs after its terminal went away")
        let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n") ?? []
        #expect(lines.count >= 20, "the events were written before it ended")
    }
}
