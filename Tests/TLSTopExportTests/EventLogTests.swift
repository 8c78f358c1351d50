import Foundation
import Testing

@testable import TLSTopExport

/// The event stream's writer: whole lines, appends, reopen on SIGHUP, counted drops.
@Suite(.serialized) struct EventLogTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tlstop-eventlog-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func lines(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"), "the file ends on a whole line")
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func everyLineArrivesWholeAndInOrder() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson")
        let log = try EventLog(path: path.path, whenFull: .wait, capacity: 4096)
        // A producer faster than the small queue: it must wait, never lose or split a line.
        for batch in 0..<2000 {
            log.append(
                (0..<5).map {
                    #"{"batch":\#(batch),"line":\#($0),"pad":"\#(String(repeating: "x", count: batch % 300))"}"#
                })
        }
        log.close()
        let written = try Self.lines(path)
        #expect(written.count == 10_000)
        #expect(log.statistics.writtenLines == 10_000)
        #expect(log.statistics.droppedLines == 0)
        for (index, line) in written.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["batch"] as? Int == index / 5 && object["line"] as? Int == index % 5)
        }
    }

    @Test func anExistingFileIsAppendedTo() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson")
        try Data("{\"old\":1}\n".utf8).write(to: path)
        let log = try EventLog(path: path.path, whenFull: .wait)
        log.append(["{\"new\":1}"])
        log.close()
        #expect(try Self.lines(path) == ["{\"old\":1}", "{\"new\":1}"])
    }

    @Test func aHangupAfterRotationStartsANewFile() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson")
        let rotated = folder.appendingPathComponent("events.ndjson.1")
        let log = try EventLog(path: path.path, whenFull: .wait)
        log.append(["{\"n\":1}", "{\"n\":2}"])
        // What logrotate does: move the file, then signal.
        for _ in 0..<100 where log.statistics.writtenLines < 2 { Thread.sleep(forTimeInterval: 0.02) }
        try FileManager.default.moveItem(at: path, to: rotated)
        HangupSignal.simulate()
        for _ in 0..<100 where log.statistics.reopens == 0 { Thread.sleep(forTimeInterval: 0.02) }
        log.append(["{\"n\":3}"])
        log.close()
        #expect(log.statistics.reopens == 1)
        #expect(try Self.lines(rotated) == ["{\"n\":1}", "{\"n\":2}"])
        #expect(try Self.lines(path) == ["{\"n\":3}"])
    }

    @Test func aFullQueueInDropModeCountsWhatItDrops() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson")
        // A queue of one line: the capture thread never waits, so some lines must be dropped.
        let log = try EventLog(path: path.path, whenFull: .drop, capacity: 1)
        let line = #"{"pad":"\#(String(repeating: "y", count: 200))"}"#
        for _ in 0..<20_000 { log.append([line]) }
        log.close()
        let written = try Self.lines(path)
        #expect(!written.isEmpty && written.allSatisfy { $0 == line })
        #expect(written.count == log.statistics.writtenLines)
        #expect(written.count + log.statistics.droppedLines == 20_000, "every line is written or counted")
        #expect(log.statistics.droppedLines > 0)
    }

    @Test func aSymbolicLinkIsRefusedInOneLine() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let link = folder.appendingPathComponent("events.ndjson")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/passwd")
        #expect(throws: EventLog.OpenError.self) { try EventLog(path: link.path, whenFull: .wait) }
        do {
            _ = try EventLog(path: link.path, whenFull: .wait)
        } catch {
            #expect(error.description == "cannot open --log '\(link.path)': it is a symbolic link; give the real path")
        }
    }
}
