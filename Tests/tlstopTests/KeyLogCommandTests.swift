import Foundation
import Testing

/// `--keylog` end to end: the certificate appears, the key log's secrets never do, and a key log
/// anyone could write is refused.
@Suite struct KeyLogCommandTests {
    static let fixtures = CommandLineTests.repository.appendingPathComponent("Tests/Fixtures")

    static func keys(_ name: String) -> URL { fixtures.appendingPathComponent("keylogs/\(name)") }

    /// Every secret of a key log file, in hex as written, and upper and lower case.
    static func secrets(in url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count == 3 ? String(fields[2]) : nil
        }
    }

    @Test(arguments: ["keylog-rsa1024", "keylog-quic", "keylog-client-cert"])
    func noOutputContainsAKeyLogSecret(name: String) throws {
        let keys = Self.keys("\(name).keys")
        let secrets = try Self.secrets(in: keys)
        #expect(secrets.count >= 4, "the key log must hold secrets for this test to mean anything")
        let json = CommandLineTests.temporary("\(name)-k.json")
        let csv = CommandLineTests.temporary("\(name)-k.csv")
        let log = CommandLineTests.temporary("\(name)-k.ndjson")
        defer { for url in [json, csv, log] { try? FileManager.default.removeItem(at: url) } }
        let capture = Self.fixtures.appendingPathComponent("pcaps/\(name).pcap").path
        var outputs: [String] = []
        for export in [json, csv] {
            let result = try CommandLineTests.run([
                "-r", capture, "--keylog", keys.path, "--batch", "--export", export.path, "--log", log.path,
            ])
            #expect(result.status == 0, "\(result.error)")
            outputs += [result.output, result.error, try String(contentsOf: export, encoding: .utf8)]
            outputs.append(try String(contentsOf: log, encoding: .utf8))
        }
        // The decryption worked (so the outputs had the chance to leak something).
        #expect(outputs[2].contains("\"cert_source\":\"keylog\""))
        let everything = outputs.joined(separator: "\n").lowercased()
        for secret in secrets {
            #expect(!everything.contains(secret.lowercased()), "\(name): a secret reached an output")
            #expect(!everything.contains(String(secret.prefix(16)).lowercased()))
        }
    }

    @Test func aKeyLogOthersCanWriteIsRefusedInOneLine() throws {
        let copy = CommandLineTests.temporary("open.keys")
        defer { try? FileManager.default.removeItem(at: copy) }
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: Self.keys("keylog-rsa1024.keys"), to: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: copy.path)
        let capture = Self.fixtures.appendingPathComponent("pcaps/keylog-rsa1024.pcap").path
        let result = try CommandLineTests.run(["-r", capture, "--keylog", copy.path, "--batch"])
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("tlstop: --keylog '\(copy.path)' is writable by every user"))
        #expect(result.error.contains("chmod o-w"))
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        ("/nonexistent/keys.txt", "tlstop: cannot read --keylog '/nonexistent/keys.txt': No such file or directory"),
        ("/tmp", "tlstop: --keylog '/tmp' is not a regular file"),
    ])
    func aMissingOrOddKeyLogIsAOneLineError(path: String, message: String) throws {
        let capture = Self.fixtures.appendingPathComponent("pcaps/keylog-rsa1024.pcap").path
        let result = try CommandLineTests.run(["-r", capture, "--keylog", path, "--batch"])
        #expect(result.status == 1)
        #expect(result.error.hasPrefix(message), "\(result.error)")
    }

    @Test func withoutTheKeyLogTheSameCaptureSaysCertNull() throws {
        let json = CommandLineTests.temporary("nokeys.json")
        defer { try? FileManager.default.removeItem(at: json) }
        let capture = Self.fixtures.appendingPathComponent("pcaps/keylog-rsa1024.pcap").path
        let result = try CommandLineTests.run(["-r", capture, "--batch", "--export", json.path])
        #expect(result.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let connection = try #require((document["connections"] as? [[String: Any]])?.first)
        #expect(connection["cert"] == nil)
        #expect(connection["cert_source"] is NSNull)
    }
}
