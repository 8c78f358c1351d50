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
        // One buffer a worker for every round: about a kilobyte a line.
        let blocks = (0..<workers).map { _ in OutputBuffer(capacity: min(linesPerBlock, 1 << 16) * 1024) }
        var start = 0
        while start < connections.count {
            let end = min(connections.count, start + round)
            if workers == 1 {
                renderLines(start..<end, references: references, into: blocks[0])
            } else {
                let lines = self
                let size = (end - start + workers - 1) / workers
                let first = start
                // Each worker fills its own buffer, nothing else.
                let buffers = UncheckedBuffers(blocks)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let from = min(end, first + worker * size)
                    lines.renderLines(
                        from..<min(end, from + size), references: references, into: buffers.buffers[worker])
                }
            }
            // Each block starts with the "[" that put its writer inside an array.
            for block in blocks {
                try out.appendLines(UnsafeRawBufferPointer(rebasing: block.bytes.dropFirst()))
            }
            start = end
        }
        if !connections.isEmpty { out.lineBreak(indent: 2) }
        try out.endArray()
    }

    /// "[" and the lines of `range` into `buffer` (emptied first), each line starting with its
    /// line break (the first without a comma).
    private func renderLines(
        _ range: Range<Int>, references: [(certificate: Int?, offer: Int?)], into buffer: OutputBuffer
    ) {
        var writer = JSONStreamWriter(filling: buffer)
        writer.beginArray()
        for position in range {
            writer.newline(indent: 4)
            // Writing into memory cannot fail.
            try? connections[position].write(
                to: &writer, certificate: references[position].certificate, offer: references[position].offer,
                policies: policies)
        }
    }
}

/// Buffers that concurrent workers fill one each.
private struct UncheckedBuffers: @unchecked Sendable {
    // @unchecked: every worker fills a different buffer, and the caller reads after all are done.
    let buffers: [OutputBuffer]

    init(_ buffers: [OutputBuffer]) { self.buffers = buffers }
}
