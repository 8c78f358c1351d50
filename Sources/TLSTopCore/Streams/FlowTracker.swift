/// Turns decoded packets into connections and feeds their bytes to the handshake analysis.
///
/// The per-packet cost of a connection whose handshake is classified is one hash lookup and a few
/// counter updates; nothing is allocated per packet.
public final class FlowTracker {
    public struct Configuration: Sendable {
        /// Flows tracked at once; new ones past this are counted in `untrackedConnections`.
        public var maximumConnections = 1 << 20
        public var handshakeLimits = HandshakeAnalyzer.Limits()
        /// Distinct certificates whose decoded facts are kept for reuse.
        public var certificateCacheSize = 4096

        public init() {}
    }

    public let configuration: Configuration
    public private(set) var statistics = TrafficStatistics()
    /// Every connection seen, in order of first packet.
    public private(set) var connections: [Connection] = []
    private var table: [FlowKey: Connection] = [:]
    /// Connections announced by another one (FTP data channels), by the endpoint they will reach.
    private var expectedConnections: [Connection.Endpoint: ApplicationProtocol] = [:]
    static let maximumExpectedConnections = 1024
    public private(set) var firstTimestamp: Timestamp?
    public private(set) var lastTimestamp: Timestamp?

    public let certificates: CertificateCache

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.certificates = CertificateCache(capacity: configuration.certificateCacheSize)
    }

    /// Decodes one captured frame and processes it.
    public func ingest(
        frame: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int, timestamp: Timestamp
    ) {
        statistics.packets += 1
        statistics.bytes += wireLength
        if firstTimestamp == nil { firstTimestamp = timestamp }
        lastTimestamp = timestamp
        do throws(ParseError) {
            switch try PacketDecoder.decode(frame, linkType: linkType) {
            case .success(let packet):
                process(packet, timestamp: timestamp)
            case .failure(.notIP):
                statistics.nonIPPackets += 1
            case .failure(.notTCPOrUDP):
                statistics.otherTransportPackets += 1
            case .failure(.fragment):
                statistics.fragments += 1
            }
        } catch {
            if error.code == .truncated {
                statistics.truncatedPackets += 1
            } else {
                statistics.malformedPackets += 1
            }
        }
    }

    /// Processes an already decoded packet.
    public func process(_ packet: DecodedPacket, timestamp: Timestamp) {
        let key = FlowKey(packet)
        let isTCP = packet.transport == .tcp
        switch packet.transport {
        case .tcp: statistics.tcpPackets += 1
        case .udp: statistics.udpPackets += 1
        case .esp: statistics.espPackets += 1
        }
        let opensConnection = isTCP && packet.tcpFlags.contains(.syn) && !packet.tcpFlags.contains(.ack)

        var connection: Connection
        if let existing = table[key] {
            connection = existing
            if opensConnection, startsNewConnection(existing, packet) {
                guard let fresh = makeConnection(key, packet, timestamp: timestamp, replacing: true) else { return }
                connection = fresh
            }
        } else {
            guard let fresh = makeConnection(key, packet, timestamp: timestamp, replacing: false) else { return }
            connection = fresh
        }

        connection.lastSeen = timestamp
        let direction = connection.direction(of: packet)
        if direction == .client {
            connection.clientPackets += 1
            connection.clientBytes += packet.ipLength
        } else {
            connection.serverPackets += 1
            connection.serverBytes += packet.ipLength
        }
        guard isTCP else {
            if !connection.isClassified { classifyDatagram(connection, packet, direction: direction) }
            return
        }
        if packet.tcpFlags.contains(.rst) { connection.sawRST = true }
        if packet.tcpFlags.contains(.fin) { connection.sawFIN = true }
        guard !connection.isClassified else { return }
        feedTCP(connection, packet, direction: direction)
    }

    private func startsNewConnection(_ existing: Connection, _ packet: DecodedPacket) -> Bool {
        // A retransmitted SYN carries the same initial sequence number; anything else on a known
        // 4-tuple is a client reusing its port (load generators do).
        let stream = existing.direction(of: packet) == .client ? existing.clientStream : existing.serverStream
        return !(stream.sawSYN && stream.initialSequence == packet.sequenceNumber)
    }

    private func makeConnection(_ key: FlowKey, _ packet: DecodedPacket, timestamp: Timestamp, replacing: Bool)
        -> Connection?
    {
        if !replacing, table.count >= configuration.maximumConnections {
            statistics.untrackedConnections += 1
            return nil
        }
        let source = Connection.Endpoint(address: packet.source, port: packet.sourcePort)
        let destination = Connection.Endpoint(address: packet.destination, port: packet.destinationPort)
        let flags = packet.tcpFlags
        let sourceIsClient: Bool
        let rolesKnown: Bool
        if packet.transport == .tcp && flags.contains(.syn) {
            sourceIsClient = !flags.contains(.ack)
            rolesKnown = true
        } else {
            // No SYN seen: guess that the well-known port is the server's until the payload tells.
            sourceIsClient = !(packet.sourcePort < 1024 && packet.destinationPort >= 1024)
            rolesKnown = false
        }
        statistics.connections += 1
        let connection = Connection(
            id: statistics.connections, transport: packet.transport,
            client: sourceIsClient ? source : destination, server: sourceIsClient ? destination : source,
            rolesKnown: rolesKnown, timestamp: timestamp, limits: configuration.handshakeLimits,
            certificates: certificates)
        table[key] = connection
        connections.append(connection)
        if !expectedConnections.isEmpty, let application = expectedConnections.removeValue(forKey: connection.server) {
            connection.analyzer.presetApplication(application)
        }
        return connection
    }

    private func feedTCP(_ connection: Connection, _ packet: DecodedPacket, direction: Direction) {
        var direction = direction
        if packet.tcpFlags.contains(.syn) {
            _ =
                direction == .client
                ? connection.clientStream.acceptSYN(sequence: packet.sequenceNumber)
                : connection.serverStream.acceptSYN(sequence: packet.sequenceNumber)
        }
        if packet.declaredPayloadLength > 0 {
            if !connection.rolesKnown {
                connection.rolesKnown = true
                if let sender = Self.helloSender(packet.payload), sender != direction {
                    connection.swapRoles()
                    direction = sender
                }
            }
            let analyzer = connection.analyzer
            let stillWanted: Bool
            if direction == .client {
                stillWanted = connection.clientStream.accept(
                    sequence: packet.sequenceNumber, payload: packet.payload,
                    declaredLength: packet.declaredPayloadLength
                ) { analyzer.consume($0, from: .client) }
                if connection.clientStream.hasGap && !analyzer.isFinished(.client) { connection.hadGap = true }
            } else {
                stillWanted = connection.serverStream.accept(
                    sequence: packet.sequenceNumber, payload: packet.payload,
                    declaredLength: packet.declaredPayloadLength
                ) { analyzer.consume($0, from: .server) }
                if connection.serverStream.hasGap && !analyzer.isFinished(.server) { connection.hadGap = true }
            }
            if !stillWanted { analyzer.finish(direction) }
        }
        if packet.tcpFlags.contains(.rst) {
            connection.analyzer.finish(.client)
            connection.analyzer.finish(.server)
        }
        if let announced = connection.analyzer.takeAnnouncedDataPort() {
            if expectedConnections.count >= Self.maximumExpectedConnections { expectedConnections.removeAll() }
            let endpoint = Connection.Endpoint(
                address: announced.host ?? connection.server.address, port: announced.port)
            expectedConnections[endpoint] = .ftpData
        }
        connection.isClassified = connection.analyzer.isFinished
    }

    /// Who sent a payload that starts with a TLS or SSLv2 hello, if it does.
    static func helloSender(_ payload: UnsafeRawBufferPointer) -> Direction? {
        guard payload.count >= 6 else { return nil }
        if payload[0] == ContentType.handshake.rawValue, payload[1] == 3 {
            switch HandshakeType(rawValue: payload[5]) {
            case .clientHello: return .client
            case .serverHello: return .server
            default: return nil
            }
        }
        if payload[0] & 0x80 != 0 {
            if payload[2] == SSLv2Hello.clientHelloType { return .client }
            if payload[2] == SSLv2Hello.serverHelloType { return .server }
        }
        return nil
    }

    private func classifyDatagram(_ connection: Connection, _ packet: DecodedPacket, direction: Direction) {
        if packet.transport == .esp {
            connection.analyzer.markEncrypted(.esp)
        } else {
            _ = connection.analyzer.observeDatagram(packet.payload, from: direction)
        }
        connection.isClassified = connection.analyzer.isFinished
    }
}
