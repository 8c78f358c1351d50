import Foundation
import Testing

/// `--log`: every line of every fixture's event stream is valid against the committed JSON Schema
/// (docs/event-schema.json, checked by python3-jsonschema), and says what the snapshot of the same
/// run says about the connection.
@Suite struct EventStreamTests {
    static let schema = CommandLineTests.repository.appendingPathComponent("docs/event-schema.json")
    static let validator = CommandLineTests.repository.appendingPathComponent("Tests/Tools/validate-events.py")

    struct Run {
        var name: String
        var events: URL
        var snapshot: [String: Any]
    }

    /// Every committed capture through `--batch --log --export`.
    static func runFixtures() throws -> [Run] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-events-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let captures = try FileManager.default.contentsOfDirectory(atPath: CommandLineTests.fixtures.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        #expect(captures.count > 50)
        return try captures.map { name in
            let events = folder.appendingPathComponent(name + ".ndjson")
            let export = folder.appendingPathComponent(name + ".json")
            let result = try CommandLineTests.run([
                "-r", CommandLineTests.fixtures.appendingPathComponent(name).path, "--batch", "--log", events.path,
                "--export", export.path,
            ])
            #expect(result.status == 0, "\(name): \(result.error)")
            #expect(result.output.contains("events: "), "\(name): the summary names the event stream")
            let snapshot = try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any] ?? [:]
            return Run(name: name, events: events, snapshot: snapshot)
        }
    }

    @Test func everyEventLineOfEveryFixtureMatchesTheSchemaAndTheSnapshot() throws {
        let runs = try Self.runFixtures()
        defer { try? FileManager.default.removeItem(at: runs[0].events.deletingLastPathComponent()) }

        let validation = try Subprocess.run(
            "/usr/bin/python3", [Self.validator.path, Self.schema.path] + runs.map(\.events.path), seconds: 120)
        #expect(validation.status == 0, "schema violations:\n\(validation.output)\(validation.error)")

        var lines = 0
        for run in runs {
            let text = try String(contentsOf: run.events, encoding: .utf8)
            #expect(text.isEmpty || text.hasSuffix("\n"), "\(run.name): the last line is whole")
            let events = try text.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            lines += events.count
            try compare(events, with: run.snapshot, name: run.name)
        }
        #expect(lines > 200, "the fixtures produce events")
    }

    /// One connection event per reported connection, then one alert per finding, each agreeing
    /// with the snapshot's connection field by field.
    func compare(_ events: [[String: Any]], with snapshot: [String: Any], name: String) throws {
        let connections = snapshot["connections"] as? [[String: Any]] ?? []
        let certificates = snapshot["certificates"] as? [[String: Any]] ?? []
        let byID = Dictionary(connections.map { ($0["id"] as? Int ?? -1, $0) }, uniquingKeysWith: { a, _ in a })
        var reported: [Int] = []
        var alerts: [Int: [String]] = [:]
        for event in events {
            let tlstop = event["tlstop"] as? [String: Any] ?? [:]
            let id = try #require(tlstop["connection_id"] as? Int, "\(name): tlstop.connection_id")
            let connection = try #require(byID[id], "\(name): event for connection \(id) not in the snapshot")
            let kind = (event["event"] as? [String: Any])?["kind"] as? String
            if kind == "event" {
                #expect(!reported.contains(id), "\(name): connection \(id) reported twice")
                reported.append(id)
            } else {
                let finding = tlstop["finding"] as? [String: Any] ?? [:]
                alerts[id, default: []].append(finding["id"] as? String ?? "?")
                #expect((event["rule"] as? [String: Any])?["id"] as? String == finding["id"] as? String)
            }
            expectSame(event, connection, certificates: certificates, name: "\(name) #\(id)")
        }
        // Every classified connection is reported, and an unknown one never is.
        let expected = connections.filter { $0["protocol"] as? String != "unknown" }.compactMap { $0["id"] as? Int }
        #expect(reported.sorted() == expected.sorted(), "\(name): reported connections")
        for id in expected {
            let findings = (byID[id]?["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(alerts[id] ?? [] == findings, "\(name) #\(id): one alert per finding, worst first")
        }
    }

    /// - Parameter certificates: the snapshot's `certificates`, which a connection's `cert` indexes.
    func expectSame(_ event: [String: Any], _ connection: [String: Any], certificates: [[String: Any]], name: String) {
        func at(_ path: String) -> Any? {
            var value: Any? = event
            for key in path.split(separator: ".") { value = (value as? [String: Any])?[String(key)] }
            return value
        }
        func same(_ path: String, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let mine = at(path).map { "\($0)" } ?? "nil"
            let theirs = connection[key].flatMap { $0 is NSNull ? nil : "\($0)" } ?? "nil"
            #expect(mine == theirs, "\(name): \(path) vs snapshot \(key)", sourceLocation: sourceLocation)
        }
        same("source.ip", "client_ip")
        same("source.port", "client_port")
        same("destination.ip", "server_ip")
        same("destination.port", "server_port")
        same("destination.domain", "sni")
        same("tls.client.server_name", "sni")
        same("network.transport", "transport")
        same("tlstop.protocol", "protocol")
        same("tlstop.application", "app")
        same("tlstop.version", "version")
        same("tls.cipher", "cipher")
        same("tls.curve", "group")
        same("tls.next_protocol", "alpn")
        same("tls.established", "established")
        same("tls.resumed", "resumed")
        same("tlstop.pfs", "pfs")
        same("tlstop.pq", "pq")
        same("tlstop.pq_offered", "pq_offered")
        same("tlstop.severity", "severity")
        same("tlstop.encrypted", "encrypted")
        same("tlstop.dh_bits", "dh_bits")
        // A flag that is rarely true is in the snapshot only when it is.
        let credentials = at("tlstop.cleartext_credentials") as? Bool
        #expect(credentials == (connection["cleartext_credentials"] as? Bool ?? false), "\(name): credentials")
        same("tlstop.credential_mechanism", "credential_mechanism")
        same("tlstop.alert", "alert")
        same("tlstop.quic_version", "quic_version")
        same("event.start", "first_seen")
        let findings = (connection["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(at("tlstop.findings") as? [String] == findings, "\(name): tlstop.findings")
        // ECS splits "TLSv1.2" into version "1.2" and version_protocol "tls" ("SSLv3": "3.0", "ssl").
        if let version = connection["version"] as? String, let number = at("tls.version") as? String {
            let rebuilt = (at("tls.version_protocol") as? String ?? "?").uppercased() + "v" + number
            #expect(rebuilt == version || rebuilt == version + ".0", "\(name): tls.version \(number) for \(version)")
        }
        let certificate = (connection["cert"] as? Int).flatMap {
            certificates.indices.contains($0) ? certificates[$0] : nil
        }
        #expect((connection["cert"] == nil) == (certificate == nil), "\(name): cert indexes the certificates")
        #expect((at("tls.server.x509") != nil) == (certificate != nil), "\(name): certificate present in both")
        if let certificate {
            for (path, key) in [
                ("serial_number", "serial"), ("not_after", "not_after"), ("not_before", "not_before"),
                ("public_key_algorithm", "key_type"), ("public_key_size", "key_bits"), ("public_key_curve", "curve"),
                ("signature_algorithm", "signature_algorithm"), ("subject.distinguished_name", "subject"),
                ("issuer.distinguished_name", "issuer"),
            ] {
                let mine = at("tls.server.x509." + path).map { "\($0)" } ?? "nil"
                let theirs = certificate[key].flatMap { $0 is NSNull ? nil : "\($0)" } ?? "nil"
                #expect(mine == theirs, "\(name): tls.server.x509.\(path)")
            }
        }
    }

    @Test func logToStandardOutputKeepsTheSummaryOnStandardError() throws {
        let result = try CommandLineTests.run([
            "-r", CommandLineTests.fixtures.appendingPathComponent("many-conns.pcap").path, "--batch", "--log", "-",
        ])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(lines.count >= 20)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
        #expect(result.error.contains("events: \(lines.count) lines to stdout"))
    }

    @Test func aLogThatCannotBeOpenedIsAOneLineError() throws {
        let result = try CommandLineTests.run([
            "-r", CommandLineTests.fixtures.appendingPathComponent("many-conns.pcap").path, "--batch", "--log",
            "/nonexistent-folder/events.ndjson",
        ])
        #expect(result.status == 1)
        #expect(
            result.error == "tlstop: cannot open --log '/nonexistent-folder/events.ndjson': No such file or directory\n"
        )
    }

    @Test func theDashboardCannotShareStandardOutputWithTheLog() throws {
        let result = try CommandLineTests.run(["-r", "x.pcap", "--log", "-"])
        #expect(result.status != 0)
        #expect(result.error.contains("--log - writes to stdout"))
    }
}
