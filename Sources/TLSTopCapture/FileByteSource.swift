import Glibc
import TLSTopCore

/// A capture file's bytes through read(2): a regular file, a pipe, or standard input for `-`.
final class FileByteSource: CaptureByteSource {
    let path: String
    private let descriptor: Int32
    /// Bytes read to look at the start of the file, handed out again before anything else.
    private var peeked: [UInt8] = []
    /// Bytes read from the descriptor, for the progress figure.
    let progress: ReadProgress
    /// A regular file (not a pipe, a device or standard input).
    let isRegular: Bool

    init(path: String) throws(CaptureError) {
        self.path = path
        if path == "-" {
            descriptor = dup(STDIN_FILENO)
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CaptureError("cannot read capture file '\(path)': \(reason)")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            close(descriptor)
            throw CaptureError("cannot read capture file '\(path)': it is a directory; give a .pcap or .pcapng file")
        }
        isRegular = fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        progress = ReadProgress(totalBytes: isRegular ? Int(status.st_size) : nil)
    }

    deinit { close(descriptor) }

    /// The first `count` bytes (fewer if the file is shorter), without consuming them.
    func peek(_ count: Int) throws(CaptureFileError) -> [UInt8] {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 1)
        defer { chunk.deallocate() }
        while peeked.count < count {
            let read = try readFile(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<(count - peeked.count)]))
            if read == 0 { break }
            peeked += chunk.prefix(read)
        }
        return Array(peeked.prefix(count))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureFileError) -> Int {
        if !peeked.isEmpty {
            let count = min(buffer.count, peeked.count)
            peeked.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            peeked.removeFirst(count)
            return count
        }
        return try readFile(into: buffer)
    }

    private func readFile(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureFileError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                progress.add(bytes: count)
                return count
            }
            if errno == EINTR { continue }
            throw CaptureFileError(.input, "read failed: \(String(cString: strerror(errno)))")
        }
    }
}
