import Foundation
import TLSTopCore
import Testing

@testable import tlstop

/// The command in-process: its typed options, their checks, and a whole batch run that throws
/// instead of exiting.
@Suite struct CommandTests {
    static func fixture(_ name: String) -> String { CommandLineTests.fixtures.appendingPathComponent(name).path }

    @Test func optionsAreTypedAsTheyAreParsed() throws {
        let command = try TLSTopCommand.parse([
            "-r", "x.pcap", "--batch", "--export", "out.CSV", "--policy", "modern", "--limit", "connections=10k",
            "--limit", "hosts=500", "--metrics", "9810", "--probe", "off",
        ])
        #expect(command.export == ExportTarget(argument: "out.CSV"))
        #expect(command.export?.format == .csv)
        #expect(command.policy.items == [.profile(.modern, notice: nil)])
        #expect(command.limits.map(\.assignment) == ["connections=10k", "hosts=500"])
        #expect(command.metrics?.description == "127.0.0.1:9810")
        #expect(command.probe == .off)
        #expect(command.mode == .session)
        #expect(try TLSTopCommand.parse(["-r", "x.pcap", "--batch"]).mode == .wholeFile)
        #expect(try TLSTopCommand.parse(["-r", "x.pcap"]).mode == .dashboard)
        #expect(
            try TLSTopCommand.parse(["--policy", "/etc/tlstop/policy.toml"]).policy.items == [
                .file("/etc/tlstop/policy.toml")
            ])

        var configuration = command.analysisConfiguration(policies: [.builtIn(.modern)])
        #expect(configuration.aggregation.policy.name == "modern")
        LimitSetting(argument: "retained=7")?.apply(to: &configuration)
        #expect(configuration.aggregation.maximumRetainedConnections == 7)
    }

    @Test(arguments: [
        (["--export", "x.txt"], "must end in .json or .csv"),
        (["--limit", "nonsense=1"], "expected NAME=VALUE with NAME one of"),
        (["--metrics", "localhost:99999"], "expected HOST:PORT"),
        (["-r", "a", "-i", "b"], "-r and -i exclude each other"),
        (["--duration", "0"], "--duration must be positive"),
        (["-B", "0"], "-B must be 1…4096 MiB"),
        (["--log", "-"], "--log - writes to stdout"),
    ])
    func badOptionsAreRefusedWhileParsing(arguments: [String], message: String) {
        #expect(throws: (any Error).self) { try TLSTopCommand.parse(arguments) }
        let text = TLSTopCommand.message(for: CommandTestsError.probe(arguments))
        #expect(text.contains(message), "\(arguments): \(text)")
    }

    @Test func aBatchRunInProcessWritesItsExportAndThrowsOnDamage() throws {
        let out = CommandLineTests.temporary("inprocess.json")
        defer { try? FileManager.default.removeItem(at: out) }
        let command = try TLSTopCommand.parse(["-r", Self.fixture("many-conns.pcap"), "--batch", "--export", out.path])
        try command.execute(environment: [:])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        #expect((json["connections"] as? [Any])?.count == 20)

        // A file cut in the middle of a packet: the summary and export are written, then the error.
        let cut = CommandLineTests.temporary("cut.pcap")
        defer { try? FileManager.default.removeItem(at: cut) }
        try Data(try Data(contentsOf: URL(fileURLWithPath: Self.fixture("many-conns.pcap"))).prefix(30_000)).write(
            to: cut)
        let damaged = try TLSTopCommand.parse(["-r", cut.path, "--batch", "--export", out.path])
        #expect {
            try damaged.execute(environment: [:])
        } throws: { error in
            (error as? CommandError)?.description.hasPrefix("capture file '\(cut.path)' is damaged after") == true
        }
        #expect(FileManager.default.fileExists(atPath: out.path))

        let badPolicy = try TLSTopCommand.parse([
            "-r", Self.fixture("many-conns.pcap"), "--batch", "--policy", "/nonexistent.toml",
        ])
        #expect {
            try badPolicy.execute(environment: [:])
        } throws: { error in
            (error as? CommandError)?.description.hasPrefix("cannot read policy file '/nonexistent.toml'") == true
        }
    }
}

/// Parses `arguments` to get ArgumentParser's message for them.
enum CommandTestsError {
    static func probe(_ arguments: [String]) -> any Error {
        do {
            _ = try TLSTopCommand.parse(arguments)
            return CommandError("parsed")
        } catch {
            return error
        }
    }
}
