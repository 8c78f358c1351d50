/// Finds the local process behind connections, off the capture thread. The capture thread only
/// files requests and, a few times a second, collects the answers; it never waits for one.
public protocol ProcessLookup: AnyObject, Sendable {
    /// A new connection with an end on this host. Called on the capture thread: must not block.
    func lookUp(_ request: ProcessLookupRequest)
    /// The answers ready since the last call, appended to `answers` (capture thread).
    func takeAnswers(into answers: inout [ProcessLookupAnswer])
}

public struct ProcessLookupRequest: Sendable, Equatable {
    public var id: Int
    public var isTCP: Bool
    /// This host's end of the connection, and the peer's.
    public var local: Connection.Endpoint
    public var remote: Connection.Endpoint

    public init(id: Int, isTCP: Bool, local: Connection.Endpoint, remote: Connection.Endpoint) {
        self.id = id
        self.isTCP = isTCP
        self.local = local
        self.remote = remote
    }
}

public struct ProcessLookupAnswer: Sendable, Equatable {
    public var id: Int
    /// nil: no socket matched before the lookup gave up.
    public var process: LocalProcess?

    public init(id: Int, process: LocalProcess?) {
        self.id = id
        self.process = process
    }
}
