/// A bounds-checked, non-owning cursor over bytes that came from the network.
///
/// Every read checks the remaining length first and throws `ParseError.truncated` instead of
/// trapping, so parsers never index raw buffers themselves. Length-prefixed structures are read by
/// slicing a sub-reader (`prefixed8`, `prefixed16`, `prefixed24`) whose end is the declared length:
/// a field can then never read past the structure that contains it.
///
/// The reader borrows memory: it must not outlive the `withUnsafeBytes` scope it was made in.
public struct ByteReader {
    @usableFromInline let base: UnsafeRawBufferPointer
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes
        position = 0
        end = bytes.count
    }

    @inlinable
    init(base: UnsafeRawBufferPointer, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    @inlinable public var remaining: Int { end - position }
    @inlinable public var isAtEnd: Bool { position >= end }
    /// Offset from the start of the underlying buffer.
    @inlinable public var offset: Int { position }

    @inlinable @inline(__always)
    public mutating func readUInt8() throws(ParseError) -> UInt8 {
        guard remaining >= 1 else { throw Self.truncated(1) }
        let value = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return value
    }

    // The fixed-size reads load a whole word after the one length check (on every packet, the
    // decoder's headers are read this way) and keep the throw out of line.
    @inlinable @inline(__always)
    public mutating func readUInt16() throws(ParseError) -> UInt16 {
        guard remaining >= 2 else { throw Self.truncated(2) }
        let value = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: position, as: UInt16.self))
        position += 2
        return value
    }

    @inlinable
    public mutating func readUInt24() throws(ParseError) -> UInt32 {
        guard remaining >= 3 else { throw ParseError(.truncated, "need 3 bytes") }
        let value = UInt32(base[position]) << 16 | UInt32(base[position + 1]) << 8 | UInt32(base[position + 2])
        position += 3
        return value
    }

    @inlinable @inline(__always)
    public mutating func readUInt32() throws(ParseError) -> UInt32 {
        guard remaining >= 4 else { throw Self.truncated(4) }
        let value = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position += 4
        return value
    }

    /// Reads a little-endian 32-bit value (BSD loopback family, pcap headers).
    @inlinable @inline(__always)
    public mutating func readUInt32LittleEndian() throws(ParseError) -> UInt32 {
        guard remaining >= 4 else { throw Self.truncated(4) }
        let value = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position += 4
        return value
    }

    /// A negative count is malformed, one past the end truncated: built out of line, so that the
    /// inlined checks on every packet stay a compare and a branch.
    @usableFromInline @inline(never)
    static func cannotTake(_ count: Int, what: String) -> ParseError {
        if count < 0 { return ParseError(.malformed, what.isEmpty ? "negative length" : "negative skip") }
        return ParseError(.truncated, "need \(count) bytes" + (what.isEmpty ? "" : " \(what)"))
    }

    @usableFromInline @inline(never)
    static func truncated(_ count: Int) -> ParseError {
        ParseError(.truncated, count == 1 ? "need 1 byte" : "need \(count) bytes")
    }

    @inlinable
    public func peekUInt8(at distance: Int = 0) throws(ParseError) -> UInt8 {
        guard distance >= 0, remaining > distance else { throw ParseError(.truncated, "need \(distance + 1) bytes") }
        return base[position + distance]
    }

    @inlinable
    public func peekUInt16(at distance: Int = 0) throws(ParseError) -> UInt16 {
        guard distance >= 0, remaining >= distance + 2 else {
            throw ParseError(.truncated, "need \(distance + 2) bytes")
        }
        return UInt16(base[position + distance]) << 8 | UInt16(base[position + distance + 1])
    }

    @inlinable @inline(__always)
    public mutating func skip(_ count: Int) throws(ParseError) {
        guard count >= 0, remaining >= count else { throw Self.cannotTake(count, what: "to skip") }
        position += count
    }

    /// Splits off the next `count` bytes as their own reader and advances past them.
    @inlinable @inline(__always)
    public mutating func slice(_ count: Int) throws(ParseError) -> ByteReader {
        guard count >= 0, remaining >= count else { throw Self.cannotTake(count, what: "") }
        let sub = ByteReader(base: base, position: position, end: position + count)
        position += count
        return sub
    }

    /// The rest of this reader as a sub-reader; this one ends up empty.
    @inlinable
    public mutating func rest() -> ByteReader {
        let sub = ByteReader(base: base, position: position, end: end)
        position = end
        return sub
    }

    @inlinable
    public mutating func prefixed8() throws(ParseError) -> ByteReader { try slice(Int(readUInt8())) }

    @inlinable
    public mutating func prefixed16() throws(ParseError) -> ByteReader { try slice(Int(readUInt16())) }

    @inlinable
    public mutating func prefixed24() throws(ParseError) -> ByteReader { try slice(Int(readUInt24())) }

    /// The unread bytes, borrowed. Valid only as long as the memory behind the reader.
    @inlinable
    public var unreadBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[position..<end])
    }

    /// Copies the next `count` bytes into a new array (used off the hot path only).
    public mutating func readBytes(_ count: Int) throws(ParseError) -> [UInt8] {
        let sub = try slice(count)
        return Array(sub.unreadBytes)
    }

    /// Requires that nothing is left, for structures whose length must be consumed exactly.
    @inlinable
    public func expectEnd(_ what: String) throws(ParseError) {
        guard isAtEnd else { throw ParseError(.malformed, "\(remaining) trailing bytes in \(what)") }
    }
}

extension UnsafeRawBufferPointer {
    /// The byte at `index`, or nil past either end: for classifiers that look at a fixed offset
    /// of bytes whose length they have not checked field by field.
    @inlinable
    func byte(at index: Int) -> UInt8? {
        index >= 0 && index < count ? self[index] : nil
    }

    /// A big-endian 16- or 32-bit value at `index`, or nil when the bytes end first.
    @inlinable
    func bigEndian(at index: Int, size: Int) -> UInt32? {
        guard index >= 0, size > 0, size <= 4, index <= count - size else { return nil }
        var value: UInt32 = 0
        for offset in index..<(index + size) { value = value << 8 | UInt32(self[offset]) }
        return value
    }
}
