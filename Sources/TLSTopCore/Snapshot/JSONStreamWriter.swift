/// Writes JSON text straight into a byte buffer and hands it on in large pieces, so that an
/// export of a million connections never holds a document tree, nor the whole text, in memory.
///
/// The caller says where a new line goes (`newline`): the snapshot puts one object per line
/// (one connection, one host), which keeps it greppable and diffable at a fraction of the size
/// of indenting every key. Members whose value is absent are written as `null`: the snapshot
/// schema says "unknown" with an explicit null.
public struct JSONStreamWriter {
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private var buffer: OutputBuffer
    private let sink: Sink
    private let flushSize: Int
    /// Per open container, one bit (the innermost lowest): whether the next element needs a comma
    /// before it. A snapshot nests a handful of levels; 64 is the most a writer holds.
    private var needsComma: UInt64 = 0
    private var depth = 0
    /// Set by `key`: the value that follows needs no comma of its own.
    private var afterKey = false
    /// Set by `newline`: the comma before the next element is already written.
    private var commaWritten = false
    /// The second `timestamp` wrote last, and its text up to the fraction (see `timestamp`).
    private var cachedSecond = Int64.min
    private var cachedSecondText: [UInt8] = []

    public init(flushSize: Int = 1 << 18, sink: @escaping Sink) {
        self.sink = sink
        self.flushSize = flushSize
        buffer = OutputBuffer(capacity: min(flushSize, 1 << 20) + 4096)
    }

    /// A writer that only fills `buffer` (emptied first), never flushing it: the owner reads
    /// `buffer.bytes` when done, and hands the same buffer to the next writer (an export's blocks
    /// of connection lines, rendered into memory that is touched once, not once a block).
    init(filling buffer: OutputBuffer) {
        buffer.removeAll()
        self.buffer = buffer
        sink = { _ in }
        flushSize = Int.max
    }

    /// Hands what is buffered to the sink.
    public mutating func flush() throws {
        guard buffer.count > 0 else { return }
        try sink(buffer.bytes)
        buffer.removeAll()
    }

    private mutating func flushIfFull() throws {
        if buffer.count >= flushSize { try flush() }
    }

    @inline(__always)
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if depth > 0 {
            if needsComma & 1 == 1 && !commaWritten { buffer.append(UInt8(ascii: ",")) }
            commaWritten = false
            needsComma |= 1
        }
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() throws { try close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() throws { try close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        buffer.append(bracket)
        precondition(depth < 64, "JSON nested deeper than the writer holds")
        needsComma <<= 1
        depth += 1
    }

    private mutating func close(_ bracket: UInt8) throws {
        needsComma >>= 1
        depth -= 1
        buffer.append(bracket)
        try flushIfFull()
    }

    /// A line break and `indent` spaces before the next element: the comma that separates it
    /// from the one before ends the line.
    public mutating func newline(indent: Int) {
        if depth > 0, needsComma & 1 == 1, !afterKey {
            buffer.append(UInt8(ascii: ","))
            commaWritten = true
        }
        lineBreak(indent: indent)
    }

    /// Appends lines rendered by another writer inside an array (`SnapshotJSON`'s parallel
    /// connection lines): they start with their line break, and need the comma that separates
    /// them from this array's earlier elements.
    /// A block as large as a flush goes to the sink as it is, after what is buffered, rather than
    /// being copied into the buffer first.
    mutating func appendLines(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if depth > 0, needsComma & 1 == 1 { buffer.append(UInt8(ascii: ",")) }
        needsComma |= 1
        if bytes.count >= flushSize {
            try flush()
            try sink(bytes)
        } else {
            buffer.append(bytes: bytes)
            try flushIfFull()
        }
    }

    /// A line break and `indent` spaces, before a closing bracket.
    public mutating func lineBreak(indent: Int) {
        buffer.append(UInt8(ascii: "\n"))
        for _ in 0..<indent { buffer.append(UInt8(ascii: " ")) }
    }

    /// A member name of the schema: written as is, since the schema's names need no escape
    /// (they are most of the strings a snapshot writes, and scanning them was a tenth of it).
    @inline(__always)
    public mutating func key(_ name: StaticString) {
        // `separate()`, with its comma written together with the name.
        var comma = false
        if afterKey {
            afterKey = false
        } else if depth > 0 {
            comma = needsComma & 1 == 1 && !commaWritten
            commaWritten = false
            needsComma |= 1
        }
        buffer.appendMemberName(name, comma: comma)
        afterKey = true
    }

    /// A member name made from data (a count's label, a finding id): escaped like any string.
    public mutating func key(escaping name: String) {
        separate()
        JSONValue.writeString(name, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String?) {
        separate()
        guard let value else { return appendNull() }
        // Most strings need no escape: scanned and copied whole, with one capacity check.
        let buffer = self.buffer
        let copied = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            let raw = UnsafeRawBufferPointer(bytes)
            guard JSONValue.isPlainASCII(raw) else { return false }
            buffer.appendQuoted(raw)
            return true
        }
        if copied != true { JSONValue.writeString(value, to: &self.buffer) }
    }

    public mutating func int(_ value: Int?) {
        separate()
        guard let value else { return appendNull() }
        if value >= 0 {
            buffer.appendDecimal(UInt64(value))
        } else {
            Self.appendDecimal(value, to: &buffer)
        }
    }

    public mutating func bool(_ value: Bool?) {
        separate()
        guard let value else { return appendNull() }
        buffer.appendBool(value)
    }

    /// A member, left out when the value is absent (connection objects, where a missing member
    /// means unknown or not applicable).
    public mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func member(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    public mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bool(value)
    }

    public mutating func member(_ name: StaticString, _ value: Timestamp?) {
        guard let value else { return }
        key(name)
        timestamp(value)
    }

    /// An address's text (no escape needed), written without making a String.
    public mutating func member(_ name: StaticString, _ address: IPAddress) {
        key(name)
        separate()
        if let v4 = address.ipv4Value {
            buffer.appendQuotedIPv4(v4)
        } else {
            buffer.append(UInt8(ascii: "\""))
            address.appendText(to: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
    }

    /// An RFC 3339 time, written without making a String. The text up to the second is kept
    /// from the last time written: a connection's two times, and the next connection's, mostly
    /// fall in the same second, and working out the date was a tenth of a connection's line.
    public mutating func timestamp(_ value: Timestamp?) {
        separate()
        guard let value else { return appendNull() }
        var (second, nanosecond) = value.nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        if nanosecond < 0 {
            second -= 1
            nanosecond += 1_000_000_000
        }
        buffer.append(UInt8(ascii: "\""))
        if second == cachedSecond {
            cachedSecondText.withUnsafeBytes { buffer.append(bytes: $0) }
            buffer.appendDigits(UInt64(nanosecond / 1000), width: 6)
            buffer.append(UInt8(ascii: "Z"))
        } else {
            let begin = buffer.count
            value.appendRFC3339(to: &buffer)
            // "YYYY-MM-DDTHH:MM:SS." and six digits and "Z": the common, four-digit year.
            if buffer.count - begin == 27 {
                cachedSecond = second
                cachedSecondText.removeAll(keepingCapacity: true)
                cachedSecondText.append(
                    contentsOf: UnsafeRawBufferPointer(rebasing: buffer.bytes[begin..<(begin + 20)]))
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// A member written whatever its value: `null` when absent (the top level, statistics,
    /// totals and host rows, where the schema says "unknown" with an explicit null).
    public mutating func field(_ name: StaticString, _ value: String?) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: StaticString, _ value: Int?) {
        key(name)
        int(value)
    }

    public mutating func field(_ name: StaticString, _ value: Timestamp?) {
        key(name)
        timestamp(value)
    }

    public mutating func field(_ name: StaticString, _ value: Bool?) {
        key(name)
        bool(value)
    }

    /// Writes an already built value (small parts: a process, a policy's catalogue entry).
    public mutating func value(_ value: JSONValue) {
        separate()
        value.writeCompact(to: &buffer)
    }

    private mutating func appendNull() { buffer.append("null") }

    /// The decimal digits of `value`, without making a String.
    static func appendDecimal(_ value: Int, to out: inout some ByteSink) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while magnitude > 0, count < raw.count {
                raw[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(raw[index]) }
        }
    }
}

extension JSONStreamWriter {
    /// Collects everything written into one string (tests, small documents).
    public static func text(_ body: (inout JSONStreamWriter) throws -> Void) rethrows -> String {
        var bytes: [UInt8] = []
        var writer = JSONStreamWriter(flushSize: Int.max / 2) { bytes.append(contentsOf: $0) }
        try body(&writer)
        // A sink that appends cannot fail.
        try? writer.flush()
        return String(decoding: bytes, as: UTF8.self)
    }
}
