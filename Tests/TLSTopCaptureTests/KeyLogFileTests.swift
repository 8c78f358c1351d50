import Foundation
import Testing

@testable import TLSTopCapture
@testable import TLSTopCore

/// `--keylog` files: followed as a client appends to them, refused when others could write them.
@Suite struct KeyLogFileTests {
    static func temporaryFile(_ name: String, mode: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-keylog-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: url)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    static func line(_ index: Int) -> String {
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET \(String(format: "%064x", index)) \(String(repeating: "ab", count: 32))\n"
    }

    static func random(_ index: Int) -> ClientRandom {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[31] = UInt8(index)
        return ClientRandom(bytes)!
    }

    @Test func aLiveKeyLogIsFollowedAsItGrows() throws {
        let url = try Self.temporaryFile("live", mode: 0o600)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try KeyLogFile(path: url.path)
        file.follow(every: .milliseconds(10))
        defer { file.stopFollowing() }
        let handle = try FileHandle(forWritingTo: url)
        for index in 1...3 {
            try handle.seekToEnd()
            // Half a line first: it waits for its newline.
            let text = Array(Self.line(index).utf8)
            try handle.write(contentsOf: Data(text.prefix(40)))
            Thread.sleep(forTimeInterval: 0.05)
            #expect(file.keyLog.secrets(for: Self.random(index)) == nil)
            try handle.write(contentsOf: Data(text.dropFirst(40)))
            var found = false
            for _ in 0..<200 where !found {
                Thread.sleep(forTimeInterval: 0.01)
                found = file.keyLog.secrets(for: Self.random(index)) != nil
            }
            #expect(found, "line \(index) was not picked up")
        }
        try handle.close()
        #expect(file.keyLog.counts.secrets == 3)
    }

    @Test func aKeyLogRewrittenFromTheStartIsReadAgain() throws {
        let url = try Self.temporaryFile("rewritten", mode: 0o600)
        defer { try? FileManager.default.removeItem(at: url) }
        try Data((Self.line(1) + Self.line(2)).utf8).write(to: url)
        let file = try KeyLogFile(path: url.path)
        file.readAvailable()
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(Self.line(3).utf8))
        try handle.close()
        file.readAvailable()
        #expect(file.keyLog.secrets(for: Self.random(3)) != nil)
    }

    @Test func aKeyLogOthersCanWriteIsRefused() throws {
        let url = try Self.temporaryFile("open", mode: 0o602)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: CaptureError.self) { try KeyLogFile(path: url.path) }
        do {
            _ = try KeyLogFile(path: url.path)
        } catch {
            #expect(error.message.contains("writable by every user"))
        }
    }
}
