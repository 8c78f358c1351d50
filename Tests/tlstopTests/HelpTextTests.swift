import Foundation
import Testing

/// `tlstop --help`, word for word, as swift-argument-parser's own tests check theirs: a changed
/// option, default or wording shows up here, and in the man page made from the same description.
@Suite struct HelpTextTests {
    static let golden = CommandLineTests.repository.appendingPathComponent("Tests/Fixtures/golden/help.txt")

    @Test func theHelpTextIsTheGoldenOne() throws {
        // A fixed width: the help wraps to the terminal's, or to COLUMNS.
        let help = try CommandLineTests.run(
            ["COLUMNS=100", CommandLineTests.binary.path, "--help"], executable: "/usr/bin/env")
        #expect(help.status == 0)
        #expect(help.error.isEmpty)
        if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: Self.golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try help.output.write(to: Self.golden, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        #expect(
            help.output == expected,
            "the help changed: review it, then run `TLSTOP_UPDATE_GOLDEN=1 swift test --filter HelpText` and `make man`"
        )
        // Every option the command has is in it.
        for option in ["--read", "--interface", "--filter", "--keylog", "--probe", "--export", "--log", "--metrics"] {
            #expect(expected.contains(option), "\(option)")
        }
    }
}
