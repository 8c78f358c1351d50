/// A code point from one of the IANA TLS registries: cipher suite, named group, signature scheme,
/// extension type, protocol version or alert description.
///
/// Each registry type supplies only its table lookup, `knownName(_:)`, and its own special members
/// (`info`, `kind`, `ordinal`, …). The members every registry shares (`name`, `isGREASE`, `isKnown`,
/// `description`) are written once here, so that all registries render unknown and GREASE values
/// the same way.
///
/// Public because the members it provides are part of the conforming types' public API.
public protocol TLSCodePoint: RawRepresentable, Hashable, Sendable, CustomStringConvertible
where RawValue: FixedWidthInteger & Sendable {
    /// Any value of the raw type is representable: peers send values we have never heard of.
    init(rawValue: RawValue)

    /// The name the registry table stores for `rawValue`, or nil if the table does not list it.
    ///
    /// Returns the stored string rather than building one, so that `name` does not allocate for
    /// known values.
    static func knownName(_ rawValue: RawValue) -> String?

    /// The registry name, or a readable rendering of a value the registry does not know.
    var name: String { get }

    /// Every value the table names, in ascending order.
    static var allKnown: [Self] { get }
}

extension TLSCodePoint {
    /// Whether the value is in the table (GREASE values are not).
    public var isKnown: Bool { Self.knownName(rawValue) != nil }

    public var description: String { name }

    /// Builds a registry's lookup table from its rows. As with assignment, a later row for the same
    /// value would win; the tests check that no table lists a value twice.
    static func lookupTable<Entry>(_ rows: some Sequence<(RawValue, Entry)>) -> [RawValue: Entry] {
        Dictionary(rows, uniquingKeysWith: { _, later in later })
    }
}

extension TLSCodePoint where RawValue == UInt16 {
    /// The registry name, `"GREASE"` for RFC 8701 values, or the wire value as `0x00ff` otherwise.
    ///
    /// Known names are stored strings, so the per-connection rendering path does not allocate.
    public var name: String {
        if let name = Self.knownName(rawValue) { return name }
        if isGREASE { return "GREASE" }
        return CodePointFormat.hex(rawValue)
    }

    public var isGREASE: Bool { GREASE.isGREASE(rawValue) }
}
