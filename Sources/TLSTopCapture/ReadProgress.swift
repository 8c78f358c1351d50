import Synchronization

/// How far a capture file has been read. The reading thread adds to it as bytes come in; the
/// dashboard and the batch progress line read it whenever they draw, without a snapshot (which
/// can take long to build on a large capture) and without a lock.
public final class ReadProgress: Sendable {
    /// The file's size, when it has one (a regular file; not a pipe or standard input).
    public let totalBytes: Int?
    private let bytes = Atomic<Int>(0)
    private let frames = Atomic<Int>(0)

    public init(totalBytes: Int?) {
        self.totalBytes = totalBytes.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Bytes of the file read so far (compressed bytes, for a gzip file).
    public var bytesRead: Int { bytes.load(ordering: .relaxed) }
    /// Packets read so far, before any filter.
    public var framesRead: Int { frames.load(ordering: .relaxed) }

    /// The share of the file read, 0…1; nil without a size.
    public var fraction: Double? {
        totalBytes.map { min(1, Double(bytesRead) / Double($0)) }
    }

    func add(bytes count: Int) { bytes.add(count, ordering: .relaxed) }
    func set(frames count: Int) { frames.store(count, ordering: .relaxed) }
}
