import Foundation
import Testing

/// Process attribution live: real openssl s_server / s_client, curl and nginx talking TLS across
/// a veth pair between two namespaces (Tests/Tools/live-attribution.sh); tlstop captures on the
/// "host" side as root, drops to nobody keeping only CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, and
/// must name each connection's program and direction.
@Suite(.serialized, .enabled(if: geteuid() == 0, "namespaces and live capture need root"))
struct LiveAttributionTests {
    @Test func eachConnectionIsAttributedToItsProgramAndDirection() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-attribution-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = CommandLineTests.repository.appendingPathComponent("Tests/Tools/live-attribution.sh")
        let run = try Subprocess.run(
            "/bin/bash", [script.path, CommandLineTests.binary.path, folder.path], seconds: 120)
        let log = (try? String(contentsOf: folder.appendingPathComponent("tlstop.log"), encoding: .utf8)) ?? ""
        try #require(run.status == 0, "script: \(run.output)\(run.error)\ntlstop: \(log)")
        let data = try Data(contentsOf: folder.appendingPathComponent("export/snapshot.json"))
        let snapshot = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(snapshot["process_attribution"] as? String == "on", "attribution kept after dropping root")

        let connections = snapshot["connections"] as? [[String: Any]] ?? []
        // server port → (direction, program on this host's end)
        let expected: [Int: (String, String)] = [
            4433: ("inbound", "openssl"), 8443: ("inbound", "nginx"), 4434: ("outbound", "openssl"),
            4435: ("outbound", "curl"),
        ]
        #expect(Set(connections.compactMap { $0["server_port"] as? Int }) == Set(expected.keys), "\(connections)")
        for connection in connections {
            guard let port = connection["server_port"] as? Int, let (direction, program) = expected[port] else {
                continue
            }
            let process = connection["local_process"] as? [String: Any] ?? [:]
            #expect(connection["direction"] as? String == direction, "port \(port)")
            #expect(process["state"] as? String == "found", "port \(port): \(process)")
            #expect(process["name"] as? String == program, "port \(port): \(process)")
            #expect(process["user"] as? String == "root", "port \(port)")
            #expect((process["pid"] as? Int ?? 0) > 1, "port \(port)")
            #expect((connection["ja4"] as? String)?.hasPrefix("t1") == true, "port \(port): a JA4 for every hello")
        }

        // The event stream waits for each lookup: every connection's event names its program.
        let events = try String(contentsOf: folder.appendingPathComponent("export/events.ndjson"), encoding: .utf8)
            .split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { ($0["event"] as? [String: Any])?["kind"] as? String == "event" }
        #expect(events.count == expected.count)
        for event in events {
            let port = (event["destination"] as? [String: Any])?["port"] as? Int ?? 0
            let network = event["network"] as? [String: Any]
            #expect(network?["direction"] as? String == expected[port]?.0, "event for port \(port)")
            #expect(
                (event["process"] as? [String: Any])?["name"] as? String == expected[port]?.1, "event for port \(port)")
        }
    }

    @Test func filesHaveNoProcessesAndSayNothingAboutThem() throws {
        let export = CommandLineTests.temporary("file-attribution.json")
        defer { try? FileManager.default.removeItem(at: export) }
        let result = try CommandLineTests.run([
            "-r", CommandLineTests.fixtures.appendingPathComponent("many-conns.pcap").path, "--batch", "--export",
            export.path,
        ])
        #expect(result.status == 0)
        let snapshot = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any])
        #expect(snapshot["process_attribution"] is NSNull)
        let connections = snapshot["connections"] as? [[String: Any]] ?? []
        #expect(connections.count == 20)
        for connection in connections {
            // A connection leaves out what it does not know.
            #expect(connection["direction"] == nil && connection["local_process"] == nil)
        }
    }
}
