import Foundation
import Testing

@testable import TLSTopCapture

/// Who tlstop becomes after opening its capture, decided without changing anything.
@Suite struct PrivilegePlanTests {
    typealias Account = PrivilegePlan.Account
    static let users = [
        "nobody": Account(name: "nobody", uid: 65534, gid: 65534),
        "tlstop": Account(name: "tlstop", uid: 990, gid: 990),
    ]
    static func lookup(_ name: String) -> Account? { users[name] }
    static let sudo = ["SUDO_USER": "alice", "SUDO_UID": "1000", "SUDO_GID": "1001"]

    static func plan(
        user: String? = nil, keepRoot: Bool = false, live: Bool, environment: [String: String] = [:], uid: uid_t = 0
    ) throws(CaptureError) -> PrivilegePlan {
        try PrivilegePlan.resolve(
            user: user, keepRoot: keepRoot, liveCapture: live, environment: environment, effectiveUID: uid,
            lookup: lookup)
    }

    @Test func throughSudoTheInvokingUserIsBecomeForFilesAndInterfaces() throws {
        for live in [true, false] {
            let plan = try Self.plan(live: live, environment: Self.sudo)
            #expect(plan.account == Account(name: "alice", uid: 1000, gid: 1001))
            #expect(plan.reason == .sudo)
            #expect(plan.who == "'alice' (who ran sudo)")
        }
    }

    @Test func withoutSudoALiveCaptureBecomesNobodyAndRootReadingAFileStaysRoot() throws {
        let live = try Self.plan(live: true)
        #expect(live.account == Self.users["nobody"])
        #expect(live.reason == .liveCapture)
        #expect(try Self.plan(live: false) == .unchanged)
    }

    @Test func dashZWinsOverSudoAndUnknownUsersAreRefused() throws {
        let asked = try Self.plan(user: "tlstop", live: false, environment: Self.sudo)
        #expect(asked.account == Self.users["tlstop"])
        #expect(asked.reason == .asked)
        #expect {
            try Self.plan(user: "nosuchuser", live: true)
        } throws: { error in
            (error as? CaptureError)?.message
                == "cannot drop privileges: no user 'nosuchuser'; name one with -Z USER or pass --no-drop-privileges"
        }
    }

    @Test func notRootOrNoDropChangesNothing() throws {
        #expect(try Self.plan(live: true, uid: 1000) == .unchanged)
        #expect(try Self.plan(keepRoot: true, live: true, environment: Self.sudo) == .unchanged)
    }

    @Test(arguments: [
        ["SUDO_UID": "0", "SUDO_GID": "0", "SUDO_USER": "root"],  // sudo run by root
        ["SUDO_UID": "abc", "SUDO_GID": "1000"],
        ["SUDO_UID": "1000"],
        ["SUDO_UID": "-5", "SUDO_GID": "1000"],
        ["SUDO_UID": "99999999999", "SUDO_GID": "1000"],
    ])
    func oddSudoVariablesAreIgnored(environment: [String: String]) throws {
        let plan = try Self.plan(live: true, environment: environment)
        #expect(plan.reason == .liveCapture)
        #expect(try Self.plan(live: false, environment: environment) == .unchanged)
    }

    @Test func aSudoUserWithoutANameIsNamedByTheSystemOrTheNumber() throws {
        let plan = try Self.plan(live: true, environment: ["SUDO_UID": "4242", "SUDO_GID": "4242"])
        #expect(plan.account?.uid == 4242)
        #expect(plan.account?.name == PrivilegePlan.Account.name(of: 4242) ?? "4242")
    }
}

/// The check, before any packet is read, that every output can be written.
@Suite struct OutputCheckTests {
    static func folder(_ name: String, mode: mode_t = 0o755) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-out-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, mode)
        return path
    }

    @Test func aMissingFolderAFolderAsTargetAndAWritableFolder() throws {
        let base = try Self.folder("base")
        defer { try? FileManager.default.removeItem(atPath: base) }
        try OutputCheck.check([OutputCheck.Target(path: "\(base)/out.json", purpose: "--export")], as: "'me'")
        #expect {
            try OutputCheck.check(
                [OutputCheck.Target(path: "\(base)/missing/out.json", purpose: "--export")], as: "'me'")
        } throws: { error in
            (error as? CaptureError)?.message
                == "cannot write --export '\(base)/missing/out.json': folder '\(base)/missing' does not exist"
        }
        try FileManager.default.createDirectory(atPath: "\(base)/taken.json", withIntermediateDirectories: false)
        #expect(throws: CaptureError.self) {
            try OutputCheck.check([OutputCheck.Target(path: "\(base)/taken.json", purpose: "--export")], as: "'me'")
        }
        #expect(OutputCheck.Target(path: "bare.json", purpose: "x").folder == ".")
        #expect(OutputCheck.Target(path: "/top.json", purpose: "x").folder == "/")
    }
    // A folder the user cannot write is checked end to end (as nobody) in SudoTests.
}
