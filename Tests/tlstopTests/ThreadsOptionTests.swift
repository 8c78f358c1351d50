import Foundation
import Testing

/// `--threads`: a batch read on several cores writes what one thread writes.
@Suite struct ThreadsOptionTests {
    static let demo = CommandLineTests.fixtures.appendingPathComponent("demo.pcap").path

    /// The export of a batch read of the demo, without the line that says when it was made.
    static func export(_ arguments: [String], name: String) throws -> (text: String, result: CommandLineTests.Result) {
        let out = CommandLineTests.temporary(name)
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try CommandLineTests.run(["-r", demo, "--batch", "--export", out.path] + arguments)
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return (text.split(separator: "\n").filter { !$0.contains("\"generated_at\"") }.joined(separator: "\n"), result)
    }

    @Test func twoAndThreeThreadsExportWhatOneThreadExports() throws {
        let one = try Self.export(["--threads", "1"], name: "t1.json")
        #expect(one.result.status == 0, "\(one.result.error)")
        #expect(one.text.contains("\"connections\""))
        for threads in ["2", "3"] {
            let many = try Self.export(["--threads", threads], name: "t\(threads).json")
            #expect(many.result.status == 0, "\(many.result.error)")
            #expect(many.text == one.text, "--threads \(threads) exports differently")
            // The summary too, but for the time the read took and the export's file name.
            let summary = { (text: String) in
                text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("exported ") }.joined(separator: "\n")
            }
            #expect(summary(many.result.output) == summary(one.result.output))
        }
    }

    @Test func threadsWithAnEventLogReadOnOneThreadAndSaySo() throws {
        let log = CommandLineTests.temporary("threads.ndjson")
        defer { try? FileManager.default.removeItem(at: log) }
        let result = try CommandLineTests.run(["-r", Self.demo, "--batch", "--threads", "2", "--log", log.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.contains("--threads 2 applies to a regular, uncompressed file read with --batch"))
    }

    @Test func aThreadCountOutOfRangeIsAOneLineError() throws {
        let result = try CommandLineTests.run(["-r", Self.demo, "--batch", "--threads", "0"])
        #expect(result.status != 0)
        #expect(result.error.contains("--threads must be 1…16"))
    }
}
