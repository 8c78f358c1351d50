import CLinux
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
        var space = Preallocation(fd: fd)
        do {
            try body { bytes in
                space.reserve(upTo: bytes.count)
                try writeAll(bytes, to: fd)
            }
            try space.trim()
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        // No fsync: what this promises is that a reader sees the old file or the whole new one
        // (the rename), not that the export survives a power cut, which tcpdump's and Wireshark's
        // files do not either. Waiting for the disk was a tenth of a large export's time.
        guard close(fd) == 0 else {
            unlink(temporary)
            throw WriteError(errorDescription: String(cString: strerror(errno)))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(errorDescription: reason)
        }
    }

    /// The temporary file's blocks, allocated ahead of the writes (`fallocate`) in growing
    /// steps and trimmed to what was written at the end. Renaming a file written without them
    /// over an existing export made ext4 write the whole file out first (its `auto_da_alloc`
    /// guard for files replaced by rename): 10 ms for 24 MB, a tenth of a large export. A file
    /// system that cannot allocate ahead (or a full one) is written to as it is.
    private struct Preallocation {
        let fd: Int32
        /// Bytes written so far, and the size the file was extended to.
        private var written = 0
        private var allocated = 0
        private var unsupported = false

        init(fd: Int32) { self.fd = fd }

        mutating func reserve(upTo count: Int) {
            defer { written += count }
            guard !unsupported, written + count > allocated else { return }
            // Doubling from 1 MiB, at most 64 MiB at a time: a small file gets no large tail.
            let step = max(written + count - allocated, min(max(allocated, 1 << 20), 64 << 20))
            if tlstop_allocate(fd, Int64(allocated), Int64(step)) == 0 {
                allocated += step
            } else {
                unsupported = true
            }
        }

        /// Cuts the file to what was written (the allocation extended its size).
        func trim() throws {
            guard allocated > written else { return }
            guard ftruncate(fd, off_t(written)) == 0 else {
                throw WriteError(errorDescription: String(cString: strerror(errno)))
            }
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
