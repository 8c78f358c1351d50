import CZlib
import TLSTopCore

/// Decompresses a gzip (or zlib) stream through the system's zlib, member after member, so
/// `capture.pcap.gz` reads like the capture (`gzip -c a b > c` writes several members).
final class GzipByteSource: CaptureByteSource {
    private let input: any CaptureByteSource
    private var stream = z_stream()
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var memberEnded = false
    /// Compressed bytes consumed, for error messages.
    private var consumed = 0

    static let inputBufferSize = 256 << 10

    init(input: any CaptureByteSource) throws(CaptureFileError) {
        self.input = input
        inputBuffer = .allocate(byteCount: Self.inputBufferSize, alignment: 8)
        guard tlstop_inflate_init_auto(&stream) == Z_OK else {
            inputBuffer.deallocate()
            throw CaptureFileError(.input, "zlib could not start decompressing")
        }
    }

    deinit {
        inflateEnd(&stream)
        inputBuffer.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureFileError) -> Int {
        guard let output = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.next_out = output.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(clamping: buffer.count)
        while stream.avail_out == uInt(clamping: buffer.count) {
            if stream.avail_in == 0 {
                guard !inputEnded else {
                    if memberEnded { return 0 }
                    throw CaptureFileError(
                        .truncated, "the gzip stream ends early (after \(consumed) compressed bytes)")
                }
                let count = try input.read(into: inputBuffer)
                if count == 0 {
                    inputEnded = true
                    continue
                }
                if memberEnded {
                    // Another gzip member follows the one that ended.
                    guard inflateReset(&stream) == Z_OK else {
                        throw CaptureFileError(.input, "zlib could not start the next gzip member")
                    }
                    memberEnded = false
                }
                stream.next_in = inputBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(count)
                consumed += count
            } else if memberEnded {
                guard inflateReset(&stream) == Z_OK else {
                    throw CaptureFileError(.input, "zlib could not start the next gzip member")
                }
                memberEnded = false
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: memberEnded = true
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw CaptureFileError(
                    .malformed, "the gzip data is damaged near compressed byte \(consumed): \(reason)")
            }
        }
        return buffer.count - Int(stream.avail_out)
    }
}
