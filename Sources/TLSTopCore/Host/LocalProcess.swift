/// The program on this machine that owns one end of a connection, found through the socket's
/// inode (`/proc/net/*`, then `/proc/PID/fd`).
public struct LocalProcess: Sendable, Equatable {
    public enum State: String, Sendable {
        /// The owning process was found.
        case found
        /// The connection ended before its socket could be found: short-lived, and gone.
        case exited
        /// The socket was not found while the connection was still open (another network
        /// namespace, a container), or lookups are not possible (no privilege).
        case unknown
    }

    public var pid: Int?
    /// The command name (`/proc/PID/comm`), at most 15 characters as the kernel keeps it.
    public var name: String?
    public var user: String?
    /// The systemd unit (`nginx.service`, `session-3.scope`) or container (`docker:0123456789ab`).
    public var unit: String?
    public var state: State

    public init(pid: Int? = nil, name: String? = nil, user: String? = nil, unit: String? = nil, state: State) {
        self.pid = pid
        self.name = name
        self.user = user
        self.unit = unit
        self.state = state
    }
}

/// Which way a connection goes, seen from this host: to one of its listeners, or out from it.
public enum ConnectionDirection: String, Sendable {
    case inbound
    case outbound

    /// From the host's own addresses: the server side local means inbound. Both ends local
    /// (loopback) counts as inbound, the listener's view; neither end local gives nil.
    public static func of(client: IPAddress, server: IPAddress, localAddresses: Set<IPAddress>) -> Self? {
        if localAddresses.contains(server) || server.isLoopback { return .inbound }
        if localAddresses.contains(client) || client.isLoopback { return .outbound }
        return nil
    }
}
