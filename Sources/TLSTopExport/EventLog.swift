import CLinux
import Foundation
import Synchronization
import TLSTopCore

/// The NDJSON event stream (`--log PATH`, or `-` for stdout), written by its own thread.
///
/// The capture thread only appends connection snapshots (or finished lines) to a bounded queue;
/// the writer thread formats them and writes each batch with whole lines only, so a reader tailing the file never
/// sees half a record (O_APPEND keeps concurrent appenders from interleaving inside one write).
/// A file is reopened on SIGHUP for log rotation. When the queue is full a live capture drops
/// lines and counts them rather than stall; a file read waits instead, since nothing is lost by
/// reading slower.
public final class EventLog: @unchecked Sendable {
    public enum FullQueue: Sendable {
        /// The producer waits for room (reading a capture file).
        case wait
        /// The line is dropped and counted (a live capture must not stall).
        case drop
    }

    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Queued bytes at which the writer is woken even if it is not due.
    static let batchBytes = 256 << 10
    /// Queued bytes past which `append` waits or drops.
    public static let defaultCapacity = 16 << 20

    /// What waits in the queue: lines, or a connection the writer thread formats with `format`.
    private enum Entry {
        case lines([String])
        case connection(ConnectionRecord)
    }

    /// What a queued connection is counted as against the capacity (its lines are a few KiB).
    static let connectionCost = 4096

    public let path: String
    private let whenFull: FullQueue
    private let capacity: Int
    private let format: @Sendable (ConnectionRecord) -> [String]
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [Entry] = []
    private var pendingBytes = 0
    private var closing = false
    private var writerDone = false
    private var stats = Statistics()
    // Owned by the writer thread after `init`.
    private var descriptor: Int32

    public struct Statistics: Sendable, Equatable {
        public var writtenLines = 0
        public var droppedLines = 0
        public var reopens = 0
        public var writeErrors = 0
    }

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    /// Opens (creates, appends to) the file now, so that a wrong path fails before the capture starts.
    /// - Parameter format: turns a connection into its lines, on the writer thread.
    public init(
        path: String, whenFull: FullQueue, capacity: Int = EventLog.defaultCapacity,
        format: @escaping @Sendable (ConnectionRecord) -> [String] = { _ in [] }
    ) throws(OpenError) {
        self.path = path
        self.format = format
        self.whenFull = whenFull
        self.capacity = max(1, capacity)
        if path == "-" {
            descriptor = STDOUT_FILENO
        } else {
            descriptor = try Self.open(path)
        }
        let thread = Thread { [self] in runWriter() }
        thread.name = "tlstop-log"
        thread.start()
    }

    static func open(_ path: String) throws(OpenError) -> Int32 {
        // No symlink at the last component: run as root, a link planted in a shared folder must
        // not redirect the log onto another file. FIFOs (a log shipper's pipe) are fine.
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link; give the real path" : String(cString: strerror(errno))
            throw OpenError(description: "cannot open --log '\(path)': \(reason)")
        }
        return fd
    }

    /// Queues whole lines (without their newline). Called from the capture thread.
    public func append(_ lines: [String]) {
        enqueue(.lines(lines), bytes: lines.reduce(0) { $0 + $1.utf8.count + 1 }, lineCount: lines.count)
    }

    /// Queues a connection; its lines are formatted on the writer thread, so the capture thread
    /// pays for a queue slot, not for JSON.
    public func append(_ connection: ConnectionRecord) {
        enqueue(.connection(connection), bytes: Self.connectionCost, lineCount: 1 + connection.findings.count)
    }

    private func enqueue(_ entry: Entry, bytes: Int, lineCount: Int) {
        condition.lock()
        defer { condition.unlock() }
        while pendingBytes > 0 && pendingBytes + bytes > capacity && !writerDone {
            if whenFull == .drop {
                stats.droppedLines += lineCount
                return
            }
            condition.wait()
        }
        guard !closing else { return }
        let wasEmpty = pending.isEmpty
        pending.append(entry)
        pendingBytes += bytes
        // Wake the writer when work appears or a batch is worth writing, not for every line:
        // a futex wake per connection cost more than formatting it.
        if wasEmpty || pendingBytes >= Self.batchBytes { condition.broadcast() }
    }

    /// Writes what is queued and stops the writer; the file stays as written.
    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !writerDone { condition.wait() }
        condition.unlock()
        if descriptor != STDOUT_FILENO { Glibc.close(descriptor) }
    }

    private func runWriter() {
        // Named for top -H and /proc/PID/task/*/comm (Foundation's Thread.name is not, on Linux).
        tlstop_name_thread("tlstop-log")
        var buffer: [UInt8] = []
        while true {
            condition.lock()
            while pending.isEmpty && !closing {
                // Wake now and then to notice SIGHUP even when no event comes.
                if !condition.wait(until: Date(timeIntervalSinceNow: 0.25)) { break }
            }
            let batch = pending
            let finished = closing && pending.isEmpty
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
            condition.broadcast()
            condition.unlock()

            if HangupSignal.take() { reopen() }
            if !batch.isEmpty {
                let lines = batch.flatMap { entry -> [String] in
                    switch entry {
                    case .lines(let lines): lines
                    case .connection(let connection): format(connection)
                    }
                }
                write(lines, using: &buffer)
            }
            if finished { break }
        }
        condition.lock()
        writerDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// logrotate moved the file: start a new one at the same path. If that fails (the folder is
    /// not writable after dropping root), keep writing to the old file and say so once.
    private func reopen() {
        guard path != "-" else { return }
        do {
            let fresh = try Self.open(path)
            Glibc.close(descriptor)
            descriptor = fresh
            condition.lock()
            stats.reopens += 1
            condition.unlock()
        } catch {
            FileHandle.standardError.write(Data("tlstop: \(error.description); still writing the old file\n".utf8))
        }
    }

    /// Writes the batch in chunks of whole lines.
    private func write(_ batch: [String], using buffer: inout [UInt8]) {
        let chunk = 1 << 20
        var lines = 0
        var failed = 0
        var index = batch.startIndex
        while index < batch.endIndex {
            buffer.removeAll(keepingCapacity: true)
            var inChunk = 0
            while index < batch.endIndex && (buffer.isEmpty || buffer.count + batch[index].utf8.count < chunk) {
                buffer.append(contentsOf: batch[index].utf8)
                buffer.append(UInt8(ascii: "\n"))
                index += 1
                inChunk += 1
            }
            if writeAll(buffer) {
                lines += inChunk
            } else {
                failed += inChunk
            }
        }
        condition.lock()
        stats.writtenLines += lines
        if failed > 0 {
            if stats.writeErrors == 0 {
                let reason = String(cString: strerror(errno))
                FileHandle.standardError.write(
                    Data("tlstop: cannot write --log '\(path)': \(reason); events are being dropped\n".utf8))
            }
            stats.writeErrors += 1
            stats.droppedLines += failed
        }
        condition.unlock()
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        return bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            while offset < buffer.count {
                let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
