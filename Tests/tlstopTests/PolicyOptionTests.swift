import Foundation
import Testing

/// `--policy` with the standards' profiles: several at once, and the retired `old`.
@Suite struct PolicyOptionTests {
    typealias CLI = CommandLineTests

    static func export(_ fixture: String, policy: String) throws -> (CLI.Result, [String: Any]?) {
        let out = CLI.temporary("policies-\(fixture).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try CLI.run([
            "-r", CLI.fixtures.appendingPathComponent(fixture).path, "--batch", "--policy", policy, "--export",
            out.path,
        ])
        let json = (try? Data(contentsOf: out)).flatMap { try? JSONSerialization.jsonObject(with: $0) }
        return (result, json as? [String: Any])
    }

    @Test func everyPolicyGivenHasItsVerdictInTheExport() throws {
        let (result, json) = try Self.export("tls13-x25519.pcap", policy: "intermediate,cnsa-2.0,bsi-tr-02102-2")
        #expect(result.status == 0, "\(result.error)")
        #expect(json?["policy"] as? String == "intermediate")
        // The summary counts the first policy over every connection, the others over those listed.
        #expect(result.output.contains("policy intermediate: critical 0, warn 0, info 1, ok 0"), "\(result.output)")
        #expect(result.output.contains("policy cnsa-2.0 (1 listed connections): critical 1, warn 0, info 0, ok 0"))
        #expect(result.output.contains("post-quantum 0.0% (missed 0.0%)"))
        let connection = try #require((json?["connections"] as? [[String: Any]])?.first)
        #expect(connection["severity"] as? String == "info")
        let verdicts = try #require(connection["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["policy"] as? String } == ["cnsa-2.0", "bsi-tr-02102-2"])
        #expect(verdicts.first?["severity"] as? String == "critical")
        let cnsaFindings = try #require(verdicts.first?["findings"] as? [[String: Any]])
        let group = try #require(cnsaFindings.first { $0["id"] as? String == "group-not-in-profile" })
        #expect((group["reference"] as? String)?.hasPrefix("NSA CNSA 2.0") == true)
        // Without a second policy there is no verdicts member at all.
        let (_, single) = try Self.export("tls13-x25519.pcap", policy: "cnsa-2.0")
        let only = try #require((single?["connections"] as? [[String: Any]])?.first)
        #expect(only["verdicts"] == nil)
        #expect(only["severity"] as? String == "critical")
        let catalogue = try #require(single?["findings_catalogue"] as? [String: [String: String]])
        #expect(catalogue["not-pq"]?["reference"] == "NSA CNSA 2.0 (ML-KEM-1024 key establishment)")
    }

    @Test func oldStillWorksAndSaysItIsTheRetiredLegacy() throws {
        let (result, json) = try Self.export("tls10-ecdhe.pcap", policy: "old")
        #expect(result.status == 0)
        #expect(result.error.contains("policy 'old' is Mozilla's retired"), "\(result.error)")
        #expect(json?["policy"] as? String == "legacy")
    }

    @Test(arguments: [
        ("modern,modern", "names 'modern' twice"),
        ("intermediate,no-such-profile", "cannot read policy file 'no-such-profile'"),
        ("a,b,c,d,e,f,g,h,i", "at most 8 policies"),
    ])
    func badListsAreOneLineErrors(policy: String, message: String) throws {
        let result = try CLI.run([
            "-r", CLI.fixtures.appendingPathComponent("tls13-x25519.pcap").path, "--batch", "--policy", policy,
        ])
        #expect(result.status != 0)
        #expect(result.error.contains(message), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
    }
}
