/// A value a ClientHello list holds, stored as 16 bits in the hello's one shared buffer.
public protocol PackedCodePoint: Hashable, Sendable {
    init(packed: UInt16)
    var packed: UInt16 { get }
}

extension UInt16: PackedCodePoint {
    public init(packed: UInt16) { self = packed }
    public var packed: UInt16 { self }
}

extension UInt8: PackedCodePoint {
    /// Only values made from a `UInt8` are ever stored, so the truncation loses nothing.
    public init(packed: UInt16) { self = UInt8(truncatingIfNeeded: packed) }
    public var packed: UInt16 { UInt16(self) }
}

/// The 16-bit registries (suites, groups, signature schemes, versions) store their raw value.
extension TLSCodePoint where RawValue == UInt16 {
    public init(packed: UInt16) { self.init(rawValue: packed) }
    public var packed: UInt16 { rawValue }
}

extension CipherSuite: PackedCodePoint {}
extension NamedGroup: PackedCodePoint {}
extension SignatureScheme: PackedCodePoint {}
extension ProtocolVersion: PackedCodePoint {}

/// One list of a ClientHello (cipher suites, groups, …) as a read-only collection over a part of
/// a buffer it shares with the hello's other lists.
///
/// Why: a hello has ten lists, and as ten arrays each cost an allocation (a 32-byte header and
/// malloc's rounding, about 70 bytes each): 600 bytes for every connection held while its
/// handshake goes on. In one buffer they cost one allocation, and the records and offers made
/// from the hello share it instead of copying.
public struct CodePointList<Element: PackedCodePoint>: RandomAccessCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral, CustomStringConvertible
{
    let storage: [UInt16]
    let bounds: Range<Int>

    init(storage: [UInt16], bounds: Range<Int>) {
        self.storage = storage
        self.bounds = bounds
    }

    public init(_ elements: some Sequence<Element>) {
        storage = elements.map(\.packed)
        bounds = storage.indices
    }

    public init(arrayLiteral elements: Element...) { self.init(elements) }

    public init() { self.init(storage: [], bounds: 0..<0) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { bounds.count }

    public subscript(position: Int) -> Element {
        Element(packed: storage[bounds.lowerBound + position])
    }

    /// The packed values, without converting each.
    var packedValues: ArraySlice<UInt16> { storage[bounds] }

    /// Compared as bytes, eight at a time (cache keys and export offers compare whole lists).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.bounds.count == rhs.bounds.count else { return false }
        return lhs.packedValues.withUnsafeBytes { left in
            rhs.packedValues.withUnsafeBytes { right in left.hasSameBytes(as: right) }
        }
    }

    /// The count, then the values as raw bytes: one pass instead of one `combine` per code point
    /// (fingerprint cache keys and export offers hash whole lists).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bounds.count)
        packedValues.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// A keyed digest of the count and values (`SeededHash`), for tables that hash whole lists.
    var seededDigest: UInt64 { packedValues.withUnsafeBytes { SeededHash.hash($0) } }

    public var description: String { Array(self).description }
}
