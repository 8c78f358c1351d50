import Foundation
import Testing

/// What a new user meets first, in a real terminal: `sudo tlstop` from a home folder, a large
/// capture read with progress, an export that does not freeze the keys, a damaged file.
@Suite(
    .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "needs tmux"))
struct FirstContactTests {
    typealias E2E = DashboardEndToEndTests
    static let name = "tlstop-e2e"

    /// A user made for the test, with a 0755 home as useradd makes it, removed afterwards.
    struct TestUser {
        let home: String
        let uid: UInt32
        let gid: UInt32

        static func make() throws -> TestUser {
            _ = try? CommandLineTests.run(["-r", name], executable: "/usr/sbin/userdel")
            let home = "/home/\(name)"
            try? FileManager.default.removeItem(atPath: home)
            let made = try CommandLineTests.run(
                ["-m", "-d", home, "-s", "/usr/sbin/nologin", name], executable: "/usr/sbin/useradd")
            try #require(made.status == 0, "useradd: \(made.error)")
            chmod(home, 0o755)
            let entry = try #require(getpwnam(name))
            return TestUser(home: home, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        }

        func remove() { _ = try? CommandLineTests.run(["-r", name], executable: "/usr/sbin/userdel") }

        /// sudo's variables for this user, as `env` arguments.
        var sudo: [String] { ["SUDO_USER=\(name)", "SUDO_UID=\(uid)", "SUDO_GID=\(gid)"] }

        func owner(of path: String) -> UInt32? {
            var status = stat()
            return stat(path, &status) == 0 ? status.st_uid : nil
        }
    }

    static var canMakeUsers: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/useradd")
    }

    static func fixture(_ name: String) -> String { CommandLineTests.fixtures.appendingPathComponent(name).path }

    /// `sudo tlstop --batch --export ./out.json` from the caller's home: the export lands there,
    /// theirs; with `-Z nobody` the run stops before reading, in one line naming the folder and user.
    @Test(.enabled(if: canMakeUsers, "needs root and useradd")) func underSudoTheBatchExportIsTheCallers() throws {
        let user = try TestUser.make()
        defer { user.remove() }
        let capture = Self.fixture("many-conns.pcap")
        let run = try CommandLineTests.run(
            ["-C", user.home] + user.sudo + [
                CommandLineTests.binary.path, "-r", capture, "--batch", "--export", "./out.json", "--log",
                "./events.ndjson",
            ],
            executable: "/usr/bin/env")
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("exported 20 connections"))
        #expect(user.owner(of: "\(user.home)/out.json") == user.uid)
        // The log is opened before root is given up, then handed over.
        #expect(user.owner(of: "\(user.home)/events.ndjson") == user.uid)

        let refused = try CommandLineTests.run(
            ["-C", user.home] + user.sudo + [
                CommandLineTests.binary.path, "-r", capture, "--batch", "-Z", "nobody", "--export", "./out2.json",
            ],
            executable: "/usr/bin/env")
        #expect(refused.status == 1)
        #expect(
            refused.error
                == "tlstop: cannot write --export './out2.json' as 'nobody': folder '\(user.home)' is not writable; "
                + "choose a writable folder, another -Z user, or --no-drop-privileges\n")
        #expect(refused.output.isEmpty, "nothing was read: \(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(user.home)/out2.json"))
    }

    /// The dashboard's `e` under sudo writes into the folder tlstop was started in, as the caller;
    /// with `-Z nobody` the dashboard does not open, and says why.
    @Test(.enabled(if: canMakeUsers, "needs root and useradd")) func underSudoTheDashboardExportIsTheCallers() throws {
        let user = try TestUser.make()
        defer { user.remove() }
        let session = "tlstop-sudo-\(getpid())"
        let command = (user.sudo + [CommandLineTests.binary.path, "-r", Self.fixture("many-conns.pcap")])
            .joined(separator: " ")
        let status = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-sudo-\(getpid())")
        try FileManager.default.createDirectory(at: status, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: status) }
        try E2E.startSession([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "sh", "-c",
            "cd \(user.home) && env \(command); sleep 30",
        ])
        defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
        _ = try E2E.waitFor(session, "end of file")
        _ = try E2E.tmux(["send-keys", "-t", session, "e"])
        let screen = try E2E.waitFor(session, "hosts to tlstop-")
        _ = try E2E.tmux(["send-keys", "-t", session, "q"])
        let exports = try FileManager.default.contentsOfDirectory(atPath: user.home).filter {
            $0.hasPrefix("tlstop-") && $0.hasSuffix(".json")
        }
        #expect(exports.count == 1, "\(screen)")
        for file in exports { #expect(user.owner(of: "\(user.home)/\(file)") == user.uid) }

        let refused = "tlstop-nobody-\(getpid())"
        try E2E.startSession([
            "new-session", "-d", "-s", refused, "-x", "120", "-y", "40", "sh", "-c",
            "cd \(user.home) && env \(command) -Z nobody 2> \(status.path)/err; echo $? > \(status.path)/rc; sleep 30",
        ])
        defer { _ = try? E2E.tmux(["kill-session", "-t", refused]) }
        let rcFile = status.appendingPathComponent("rc").path
        let deadline = Date().addingTimeInterval(20)
        while (try? String(contentsOfFile: rcFile, encoding: .utf8))?.hasSuffix("\n") != true, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect((try? String(contentsOfFile: rcFile, encoding: .utf8)) == "1\n")
        let error = (try? String(contentsOfFile: status.appendingPathComponent("err").path, encoding: .utf8)) ?? ""
        #expect(error.split(separator: "\n").count == 1, "\(error)")
        #expect(
            error.hasPrefix("tlstop: cannot write dashboard exports (key e) 'tlstop-")
                && error.contains("as 'nobody': folder '\(user.home)' is not writable"), "\(error)")
    }

    /// A large capture: the header's progress figure moves before the end of the file, and the keys
    /// answer while an export of it is written.
    @Test func aLargeCaptureShowsProgressAndExportsWithoutFreezing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-large-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let capture = folder.appendingPathComponent("large.pcap").path
        let generator = CommandLineTests.repository.appendingPathComponent("Tests/Bench/gen-bench-pcap.py").path
        let made = try CommandLineTests.run(
            [generator, "handshakes", capture, "300000"], executable: "/usr/bin/python3")
        try #require(made.status == 0, "\(made.error)")

        let session = "tlstop-large-\(getpid())"
        let export = folder.appendingPathComponent("view.json").path
        try E2E.startSession([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "sh", "-c",
            "\(CommandLineTests.binary.path) -r \(capture) --export \(export); sleep 30",
        ])
        defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
        var figures: [String] = []
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let title = try E2E.tmux(["capture-pane", "-p", "-t", session]).split(separator: "\n").first ?? ""
            if title.contains("end of file") { break }
            if let range = title.range(of: #"reading \d+%"#, options: .regularExpression) {
                let figure = String(title[range])
                if figures.last != figure { figures.append(figure) }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(figures.count >= 2, "the progress figure moved: \(figures)")

        _ = try E2E.waitFor(session, "end of file")
        _ = try E2E.tmux(["send-keys", "-t", session, "e"])
        _ = try E2E.tmux(["send-keys", "-t", session, "?"])
        // The help opens while the file is still being written: the key was not held up.
        let answered = try E2E.waitFor(session, "this help")
        #expect(!answered.contains("hosts to \(export)"), "\(answered)")
        let done = try E2E.waitFor(session, "hosts to \(export) (", seconds: 120)
        #expect(done.contains("exported"))
        #expect(FileManager.default.fileExists(atPath: export))

        // --batch on a terminal: one progress line on standard error, erased before the summary.
        let batch = "tlstop-batch-\(getpid())"
        let summary = folder.appendingPathComponent("summary.txt").path
        try E2E.startSession([
            "new-session", "-d", "-s", batch, "-x", "120", "-y", "10", "sh", "-c",
            "\(CommandLineTests.binary.path) -r \(capture) --batch > \(summary); echo done; sleep 30",
        ])
        defer { _ = try? E2E.tmux(["kill-session", "-t", batch]) }
        let reading = try E2E.waitFor(batch, "reading ", seconds: 60)
        #expect(reading.contains("pkts"), "\(reading)")
        let finished = try E2E.waitFor(batch, "done", seconds: 120)
        #expect(!finished.contains("reading "), "the line is erased: \(finished)")
        #expect((try? String(contentsOfFile: summary, encoding: .utf8))?.contains("connections: ") == true)
        // Not a terminal: nothing but the summary.
        let piped = try CommandLineTests.run(["-r", capture, "--batch"])
        #expect(piped.status == 0)
        #expect(piped.error.isEmpty, "\(piped.error)")
    }

    /// A capture cut in the middle of a packet says so on the screen, not only in batch mode.
    @Test func aDamagedCaptureShowsTheDamageOnTheDashboard() throws {
        let cut = CommandLineTests.temporary("cut-dashboard.pcap")
        defer { try? FileManager.default.removeItem(at: cut) }
        try Data(try Data(contentsOf: URL(fileURLWithPath: Self.fixture("many-conns.pcap"))).prefix(30_000)).write(
            to: cut)
        let session = "tlstop-cut-\(getpid())"
        try E2E.startSession([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", "sh", "-c",
            "\(CommandLineTests.binary.path) -r \(cut.path); sleep 30",
        ])
        defer { _ = try? E2E.tmux(["kill-session", "-t", session]) }
        let screen = try E2E.waitFor(session, "is damaged after")
        let footer = screen.split(separator: "\n").last ?? ""
        #expect(footer.contains("✖ capture file '\(cut.path)' is damaged after 144 packets"), "\(screen)")
        #expect(screen.split(separator: "\n").first?.contains("stopped on an error") == true)
        _ = try E2E.tmux(["send-keys", "-t", session, "!"])
        let listed = try E2E.waitFor(session, "Problems")
        #expect(listed.contains("only 56 are left"))
    }
}
