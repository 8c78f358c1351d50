/// Where the exports' text goes, a byte or a run of bytes at a time: an array (small documents,
/// the event stream's lines) or the stream writer's `OutputBuffer`.
protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
}

extension ByteSink {
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension Array: ByteSink where Element == UInt8 {
    mutating func append(bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

/// The stream writer's buffer: memory of its own, grown by doubling, so that appending a byte
/// is a capacity check and a store (an array checks that its storage is not shared on every
/// append, and an export appends a few hundred times per connection).
final class OutputBuffer: ByteSink {
    private var start: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        start = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { start.deallocate() }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        start.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    func append(bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if capacity - count < bytes.count { grow(toHold: count + bytes.count) }
        (start + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// `"name":` with one capacity check and the name copied by a short loop: an export writes a
    /// few dozen member names per connection, and three byte appends around a `memcpy` call cost
    /// three times as much (callgrind).
    @inline(__always)
    func appendMemberName(_ name: StaticString) {
        name.withUTF8Buffer { text in
            let needed = text.count + 3
            if capacity - count < needed { grow(toHold: count + needed) }
            var cursor = start + count
            cursor.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
            cursor += 1
            for byte in text {
                cursor.storeBytes(of: byte, as: UInt8.self)
                cursor += 1
            }
            cursor.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
            (cursor + 1).storeBytes(of: UInt8(ascii: ":"), as: UInt8.self)
            count += needed
        }
    }

    /// What is buffered, borrowed until the next change.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }

    func removeAll() { count = 0 }

    private func grow(toHold needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let moved = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        moved.copyMemory(from: start, byteCount: count)
        start.deallocate()
        start = moved
        capacity = newCapacity
    }
}
