import Foundation
import Testing

/// `make install` and `make uninstall` with a DESTDIR: exactly the listed files, a unit systemd
/// accepts, a man page man renders, completions bash loads; then nothing left behind.
@Suite(
    .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make"), "needs make"))
struct InstallTests {
    static let repository = CommandLineTests.repository.path

    static func make(_ target: String, into destination: String) throws -> CommandLineTests.Result {
        // TLSTOP: install the binary the tests built; building inside `swift test` is not possible.
        try CommandLineTests.run(
            [
                "-C", repository, "--no-print-directory", target, "DESTDIR=\(destination)", "PREFIX=/usr/local",
                "TLSTOP=\(CommandLineTests.binary.path)",
            ], executable: "/usr/bin/make")
    }

    static func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append("/" + path)
            }
        }
        return found.sorted()
    }

    static let expected = [
        "/etc/logrotate.d/tlstop",
        "/usr/local/bin/tlstop",
        "/usr/local/lib/systemd/system/tlstop.service",
        "/usr/local/share/bash-completion/completions/tlstop",
        "/usr/local/share/fish/vendor_completions.d/tlstop.fish",
        "/usr/local/share/man/man1/tlstop.1",
        "/usr/local/share/tlstop/themes/colorblind.theme",
        "/usr/local/share/tlstop/themes/dark.theme",
        "/usr/local/share/tlstop/themes/high-contrast.theme",
        "/usr/local/share/tlstop/themes/light.theme",
        "/usr/local/share/tlstop/themes/monochrome.theme",
        "/usr/local/share/zsh/site-functions/_tlstop",
    ]

    @Test func installPutsExactlyTheListedFilesAndUninstallTakesThemAway() throws {
        let destination = CommandLineTests.temporary("destdir")
        try? FileManager.default.removeItem(at: destination)
        defer { try? FileManager.default.removeItem(at: destination) }
        let installed = try Self.make("install", into: destination.path)
        try #require(installed.status == 0, "\(installed.output)\(installed.error)")
        #expect(Self.files(under: destination.path) == Self.expected)

        let root = destination.path
        let binary = root + "/usr/local/bin/tlstop"
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        // The unit, with its ExecStart pointed at the installed binary (systemd-analyze checks it exists).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let unit = try String(
                contentsOfFile: root + "/usr/local/lib/systemd/system/tlstop.service", encoding: .utf8)
            #expect(unit.contains("ExecStart=/usr/local/bin/tlstop --batch"))
            let copy = CommandLineTests.temporary("tlstop.service")
            defer { try? FileManager.default.removeItem(at: copy) }
            try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/tlstop", with: "ExecStart=\(binary)")
                .write(to: copy, atomically: true, encoding: .utf8)
            let verified = try CommandLineTests.run(
                ["verify", "--man=no", copy.path], executable: "/usr/bin/systemd-analyze")
            #expect(verified.status == 0 && verified.error.isEmpty, "\(verified.error)")
            // It can fail: a unit with a misspelt key or a missing binary is refused or warned about.
            try unit.replacingOccurrences(of: "NoNewPrivileges=", with: "NoNewPrivilege=")
                .write(to: copy, atomically: true, encoding: .utf8)
            let broken = try CommandLineTests.run(
                ["verify", "--man=no", copy.path], executable: "/usr/bin/systemd-analyze")
            #expect(broken.status != 0 || !broken.error.isEmpty)
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/man") {
            let page = root + "/usr/local/share/man/man1/tlstop.1"
            let rendered = try CommandLineTests.run(
                ["MANWIDTH=80", "/usr/bin/man", "--warnings", "-l", page], executable: "/usr/bin/env")
            #expect(rendered.status == 0 && rendered.error.isEmpty, "\(rendered.error)")
            for option in ["--keylog", "--export", "--read", "--probe", "-Z"] {
                #expect(rendered.output.contains(option), "\(option)")
            }
        }
        let completion = root + "/usr/local/share/bash-completion/completions/tlstop"
        let loaded = try CommandLineTests.run(
            ["--norc", "--noprofile", "-c", "source '\(completion)' && complete -p tlstop"], executable: "/bin/bash")
        #expect(loaded.status == 0)
        #expect(loaded.output.contains("tlstop"), "\(loaded.output)\(loaded.error)")
        if FileManager.default.isExecutableFile(atPath: "/usr/sbin/logrotate") {
            let rotation = try CommandLineTests.run(
                ["-d", root + "/etc/logrotate.d/tlstop"], executable: "/usr/sbin/logrotate")
            #expect(rotation.status == 0, "\(rotation.error)")
            #expect(!rotation.error.contains("error:"), "\(rotation.error)")
        }

        let removed = try Self.make("uninstall", into: destination.path)
        #expect(removed.status == 0, "\(removed.error)")
        #expect(Self.files(under: destination.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/local/share/tlstop"))
    }

    /// docs/tlstop.1 is what `make install` would write from this binary: `make man` after a
    /// change to an option keeps the two the same.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3"))
    func theCommittedManPageIsGeneratedFromTheBinary() throws {
        let generated = try CommandLineTests.run(
            [Self.repository + "/Tools/make-manpage.py", CommandLineTests.binary.path], executable: "/usr/bin/python3")
        try #require(generated.status == 0, "\(generated.error)")
        let committed = try String(contentsOfFile: Self.repository + "/docs/tlstop.1", encoding: .utf8)
        #expect(generated.output == committed, "docs/tlstop.1 is out of date: run `make man`")
    }
}
