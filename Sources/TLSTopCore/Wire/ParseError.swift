/// A typed failure from any parser that reads bytes off the network.
///
/// Equality compares only the `code`, so tests can assert `error.code == .truncated` without
/// caring about the reason text. `truncated` means "need more bytes" and is the only code a
/// streaming caller may wait on; every other code means the input is malformed and will not
/// become valid with more bytes.
public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The input ends before the structure does; more bytes may complete it.
        case truncated
        /// A length, count or value contradicts the structure around it.
        case malformed
        /// A declared length exceeds a cap this program enforces.
        case tooLarge
        /// The bytes are well-formed but not a kind this parser handles.
        case unsupported
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: ParseError, rhs: ParseError) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(code.rawValue): \(reason)" }

    static func truncated(_ reason: String) -> ParseError { ParseError(.truncated, reason) }
    static func malformed(_ reason: String) -> ParseError { ParseError(.malformed, reason) }
}
