import Foundation
import Testing

@testable import tlstop

/// Exports replace their file whole, with blocks allocated ahead and trimmed to what was written.
@Suite struct AtomicFileTests {
    /// Pieces that cross the allocation steps (1, 2, 4 MiB …) at odd offsets.
    static func pieces(total: Int) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var written = 0
        var size = 1
        while written < total {
            let count = min(size, total - written)
            pieces.append((0..<count).map { UInt8(truncatingIfNeeded: ($0 + written) % 251) })
            written += count
            size = size * 3 + 7
        }
        return pieces
    }

    @Test(arguments: [0, 1, 4095, 1 << 20, (1 << 20) + 1, 5_000_001])
    func aReplacedFileHoldsExactlyWhatWasWritten(total: Int) throws {
        let url = CommandLineTests.temporary("atomic-\(total).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        // Something longer there first: the new file replaces it, no tail of the old one remains.
        try Data(repeating: 0xEE, count: total + 3_000_000).write(to: url)
        let pieces = Self.pieces(total: total)
        try AtomicFile.write(to: url.path) { sink in
            for piece in pieces { try piece.withUnsafeBytes { try sink($0) } }
        }
        let data = try Data(contentsOf: url)
        #expect(data.count == total)
        #expect(data == Data(pieces.joined()))
        // Trimmed: no allocated blocks past the end beyond the last partial one.
        var status = stat()
        #expect(stat(url.path, &status) == 0)
        #expect(Int(status.st_blocks) * 512 < total + 2 * 4096 + 65536)
        // No temporary file left behind.
        let folder = url.deletingLastPathComponent()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix(".\(url.lastPathComponent).")
        }
        #expect(leftovers.isEmpty)
    }
}
