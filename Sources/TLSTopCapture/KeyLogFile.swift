import Foundation
import Glibc
import Synchronization
import TLSTopCore

/// A TLS key log file (`--keylog`), read into a `KeyLog` and, for a live capture, followed as the
/// clients append to it.
///
/// The file holds secrets: it must be a regular file that other users cannot write (a key log
/// anyone can append to lets them feed tlstop forged secrets, and one they can replace is not the
/// user's own). It is opened once, before privileges are dropped, and read through that
/// descriptor. Nothing read from it is ever printed: errors name the path, never a line.
public final class KeyLogFile: @unchecked Sendable {
    // @unchecked: `offset` and the descriptor are used by one thread at a time: the caller for
    // `readAvailable()` before following starts, then only the follower thread.
    public let path: String
    public let keyLog: KeyLog
    private let descriptor: Int32
    private var offset: off_t = 0
    private let stopping = Atomic<Bool>(false)

    /// Stops reading a log that grows without end (a year of browsing); the table keeps the newest.
    static let chunkSize = 64 * 1024

    public init(path: String, keyLog: KeyLog = KeyLog()) throws(CaptureError) {
        self.path = path
        self.keyLog = keyLog
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CaptureError("cannot read --keylog '\(path)': \(reason)")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw CaptureError("cannot read --keylog '\(path)': \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw CaptureError("--keylog '\(path)' is not a regular file; give the file SSLKEYLOGFILE names")
        }
        guard status.st_mode & S_IWOTH == 0 else {
            close(descriptor)
            throw CaptureError(
                "--keylog '\(path)' is writable by every user, who could feed it forged secrets; run chmod o-w on it")
        }
        self.descriptor = descriptor
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        close(descriptor)
    }

    /// Reads what the file holds now. A file that shrank was truncated or rewritten: read again
    /// from its start.
    public func readAvailable() {
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_size < offset { offset = 0 }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            guard count > 0 else { break }
            offset += off_t(count)
            buffer.withUnsafeBytes { keyLog.ingest(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        }
    }

    /// A file read once (`-r`): its last line counts even without a newline.
    public func readAll() {
        readAvailable()
        keyLog.finish()
    }

    /// Reads the file, then keeps reading what is appended, every `interval`, on a thread of its own.
    public func follow(every interval: Duration = .milliseconds(50)) {
        readAvailable()
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: interval.timeInterval)
                readAvailable()
            }
        }
        thread.name = "tlstop-keylog"
        thread.start()
    }

    public func stopFollowing() { stopping.store(true, ordering: .releasing) }
}

extension Duration {
    /// In seconds, for `Thread.sleep` and `poll`.
    var timeInterval: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
