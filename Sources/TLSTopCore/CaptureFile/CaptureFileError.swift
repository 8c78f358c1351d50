/// Why a capture file could not be read (further). The adapter adds the file's name and how many
/// packets were read before it, so the user gets one line that says which file and where.
public struct CaptureFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The first bytes are neither pcap, pcapng nor gzip.
        case notACaptureFile
        /// The file ends inside a record or block (a capture cut short, or still being written).
        case truncated
        /// A header, length or option contradicts the format.
        case malformed
        /// Every interface of the file has a link type tlstop does not decode.
        case unsupportedLinkType
        /// Reading or decompressing the file failed.
        case input
    }

    public let kind: Kind
    public let reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}

/// Where a capture file's bytes come from: the file itself, or a decompressor in front of it.
/// Kept a protocol so the core reads files without a C dependency and tests feed it memory.
public protocol CaptureByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many; 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureFileError) -> Int
}

/// Bytes already in memory (tests, fuzzing).
public final class MemoryByteSource: CaptureByteSource {
    private let bytes: [UInt8]
    private var position = 0
    /// At most this many bytes per read, so tests can cut records at every boundary.
    private let chunk: Int

    public init(_ bytes: [UInt8], chunk: Int = .max) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureFileError) -> Int {
        let count = min(buffer.count, chunk, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}
