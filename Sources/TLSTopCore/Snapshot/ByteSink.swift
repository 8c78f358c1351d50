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

    /// `"name":`, after a comma when `comma`, with one capacity check and the name copied
    /// whole: an export writes a few dozen member names per connection, and three byte appends
    /// around a `memcpy` call cost three times as much (callgrind).
    @inline(__always)
    func appendMemberName(_ name: StaticString, comma: Bool) {
        let length = name.utf8CodeUnitCount
        let needed = length + 4
        if capacity - count < needed { grow(toHold: count + needed) }
        var cursor = start + count
        if comma {
            cursor.storeBytes(of: UInt8(ascii: ","), as: UInt8.self)
            cursor += 1
        }
        cursor.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        // The schema's names are ASCII literals, which have a pointer (checked in debug builds).
        assert(name.hasPointerRepresentation)
        (cursor + 1).copyMemory(from: name.utf8Start, byteCount: length)
        cursor += length + 1
        cursor.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        (cursor + 1).storeBytes(of: UInt8(ascii: ":"), as: UInt8.self)
        count = cursor + 2 - start
    }

    /// The decimal digits of `value`: counted first, so the buffer is checked once and the
    /// digits are stored in place, last first.
    @inline(__always)
    func appendDecimal(_ value: UInt64) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        if capacity - count < digits { grow(toHold: count + digits) }
        var cursor = start + count + digits
        rest = value
        repeat {
            cursor -= 1
            cursor.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10), as: UInt8.self)
            rest /= 10
        } while rest > 0
        count += digits
    }

    /// `value`'s last `width` decimal digits, zero-padded.
    @inline(__always)
    func appendDigits(_ value: UInt64, width: Int) {
        if capacity - count < width { grow(toHold: count + width) }
        var cursor = start + count + width
        var rest = value
        for _ in 0..<width {
            cursor -= 1
            cursor.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10), as: UInt8.self)
            rest /= 10
        }
        count += width
    }

    /// `true` or `false`, stored in place.
    @inline(__always)
    func appendBool(_ value: Bool) {
        if capacity - count < 5 { grow(toHold: count + 5) }
        let cursor = start + count
        // "true" and "fals" as little-endian words, then the "e" of false.
        cursor.storeBytes(of: value ? 0x6575_7274 : 0x736C_6166 as UInt32, toByteOffset: 0, as: UInt32.self)
        if value {
            count += 4
        } else {
            (cursor + 4).storeBytes(of: UInt8(ascii: "e"), as: UInt8.self)
            count += 5
        }
    }

    /// An IPv4 address in dotted decimal between quotes, stored in place: an export writes two a
    /// connection, and a byte append per character cost 700 instructions an address.
    @inline(__always)
    func appendQuotedIPv4(_ address: UInt32) {
        if capacity - count < 17 { grow(toHold: count + 17) }
        var cursor = start + count
        cursor.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        cursor += 1
        for shift: UInt32 in [24, 16, 8, 0] {
            let octet = UInt8(truncatingIfNeeded: address >> shift)
            if octet >= 100 {
                cursor.storeBytes(of: UInt8(ascii: "0") &+ octet / 100, as: UInt8.self)
                cursor += 1
            }
            if octet >= 10 {
                cursor.storeBytes(of: UInt8(ascii: "0") &+ octet / 10 % 10, as: UInt8.self)
                cursor += 1
            }
            cursor.storeBytes(of: UInt8(ascii: "0") &+ octet % 10, as: UInt8.self)
            cursor += 1
            cursor.storeBytes(of: shift == 0 ? UInt8(ascii: "\"") : UInt8(ascii: "."), as: UInt8.self)
            cursor += 1
        }
        count = cursor - start
    }

    /// `"` + `bytes` + `"` with one capacity check.
    @inline(__always)
    func appendQuoted(_ bytes: UnsafeRawBufferPointer) {
        let needed = bytes.count + 2
        if capacity - count < needed { grow(toHold: count + needed) }
        let cursor = start + count
        cursor.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        if let source = bytes.baseAddress { (cursor + 1).copyMemory(from: source, byteCount: bytes.count) }
        (cursor + 1 + bytes.count).storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        count += needed
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
