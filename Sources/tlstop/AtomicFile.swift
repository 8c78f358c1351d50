import Foundation
import TLSTopCore

/// Writes a file so readers never see half of it, and never through a planted symlink: the data
/// goes to a new temporary file (O_EXCL | O_NOFOLLOW) in the target's folder, then is renamed
/// over the target (rename replaces a symlink itself rather than following it).
enum AtomicFile {
    struct WriteError: Error, LocalizedError {
        let errorDescription: String?
    }

    static func write(_ text: String, to path: String) throws {
        try write(to: path) { sink in
            try Array(text.utf8).withUnsafeBytes { try sink($0) }
        }
    }

    /// Streams the file: `body` hands its bytes, in pieces, to the sink it is given.
    static func write(
        to path: String, body: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(errorDescription: String(cString: strerror(errno))) }
        do {
            try body { bytes in try writeAll(bytes, to: fd) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            unlink(temporary)
            throw WriteError(errorDescription: String(cString: strerror(errno)))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(errorDescription: reason)
        }
    }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(errorDescription: String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}

extension Snapshot {
    /// Writes the compliance report to `path`: HTML for an `.html` or `.htm` name, else Markdown.
    func writeReport(to path: String, generator: String) throws {
        let document = ComplianceReport.document(of: self, generator: generator)
        let lowercased = path.lowercased()
        let isHTML = lowercased.hasSuffix(".html") || lowercased.hasSuffix(".htm")
        try AtomicFile.write(isHTML ? document.html() : document.markdown(), to: path)
    }

    /// Writes the snapshot to `path` as JSON or, for a `.csv` name, CSV: streamed from the
    /// records, never built in memory whole.
    func export(to path: String) throws {
        let csv = path.lowercased().hasSuffix(".csv")
        try AtomicFile.write(to: path) { sink in
            if csv { try writeCSV(to: sink) } else { try withoutActuallyEscaping(sink) { try writeJSON(to: $0) } }
        }
    }
}
