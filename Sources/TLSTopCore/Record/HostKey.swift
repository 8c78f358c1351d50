/// The identity of a host row: the server name the client asked for (SNI), else the server's
/// address, and the server port. Typed, so that folding a connection hashes an address instead of
/// formatting it.
public struct HostKey: Hashable, Sendable {
    public enum Name: Hashable, Sendable {
        case serverName(String)
        case address(IPAddress)
    }

    public var name: Name
    public var port: UInt16

    public init(name: Name, port: UInt16) {
        self.name = name
        self.port = port
    }

    /// The name as shown and exported.
    public var hostName: String {
        switch name {
        case .serverName(let text): text
        case .address(let address): address.description
        }
    }
}
