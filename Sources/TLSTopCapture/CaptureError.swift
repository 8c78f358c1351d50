/// A capture problem, phrased as one line a user can act on.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
