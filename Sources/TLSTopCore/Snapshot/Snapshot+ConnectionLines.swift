import Dispatch

extension Snapshot {
    /// Connections rendered in one block a core, at most.
    static let connectionLinesPerBlock = 2048

    /// The `connections` member, one connection per line. Rendering a connection is most of an
    /// export's work, and each line depends on its record alone: blocks of lines are rendered on
    /// every core at once into buffers of their own, then written in order. A block at a time,
    /// so a million connections never stand in memory as text.
    func writeConnectionLines(
        references: [(certificate: Int?, offer: Int?)], linesPerBlock: Int = connectionLinesPerBlock,
        to out: inout JSONStreamWriter
    ) throws {
        out.newline(indent: 2)
        out.key("connections")
        out.beginArray()
        let linesPerBlock = max(1, linesPerBlock)
        let workers = connections.count < 2 * linesPerBlock ? 1 : 2
        let round = linesPerBlock * workers
        let blocks = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: workers)
        blocks.initialize(repeating: [])
        defer { blocks.deinitialize().deallocate() }
        var start = 0
        while start < connections.count {
            let end = min(connections.count, start + round)
            if workers == 1 {
                blocks[0] = renderLines(start..<end, references: references)
            } else {
                let lines = self
                let size = (end - start + workers - 1) / workers
                let first = start
                // Each worker writes its own slot of `blocks`, nothing else.
                let slots = UncheckedBuffer(blocks)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let from = min(end, first + worker * size)
                    slots.buffer[worker] = lines.renderLines(
                        from..<min(end, from + size), references: references)
                }
            }
            // Each block starts with the "[" that put its writer inside an array.
            for block in blocks {
                try block.withUnsafeBytes { try out.appendLines(UnsafeRawBufferPointer(rebasing: $0.dropFirst())) }
            }
            start = end
        }
        if !connections.isEmpty { out.lineBreak(indent: 2) }
        try out.endArray()
    }

    /// "[" and the lines of `range`, each starting with its line break (the first without a comma).
    private func renderLines(
        _ range: Range<Int>, references: [(certificate: Int?, offer: Int?)]
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        // One flush at the end: about a kilobyte a line.
        bytes.reserveCapacity(range.count * 1024)
        var writer = JSONStreamWriter(flushSize: Int.max / 2) { bytes.append(contentsOf: $0) }
        writer.beginArray()
        for position in range {
            writer.newline(indent: 4)
            // Writing into memory cannot fail.
            try? connections[position].write(
                to: &writer, certificate: references[position].certificate, offer: references[position].offer,
                policies: policies)
        }
        try? writer.flush()
        return bytes
    }
}

/// Slots that concurrent workers fill one each.
private struct UncheckedBuffer: @unchecked Sendable {
    // @unchecked: every worker writes a different index, and the caller reads after all are done.
    let buffer: UnsafeMutableBufferPointer<[UInt8]>

    init(_ buffer: UnsafeMutableBufferPointer<[UInt8]>) { self.buffer = buffer }
}
