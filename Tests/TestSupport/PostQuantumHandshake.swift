import TLSTopCore

/// TLS 1.3 hellos with post-quantum key shares, which no TLS stack on this Debian machine can
/// negotiate (OpenSSL 3.0, GnuTLS 3.7). Laid out byte for byte as RFC 8446 §4.1.2–§4.1.4 and
/// §4.2.8 say, with key shares of the sizes draft-ietf-tls-ecdhe-mlkem and draft-ietf-tls-mlkem
/// give (X25519MLKEM768: 1216 bytes from the client, 1120 from the server), so that the analyzer
/// reads them through the same path as captured ones.
public enum PostQuantumHandshake {
    /// (client share, server share) sizes in bytes.
    public static func shareSizes(_ group: NamedGroup) -> (client: Int, server: Int) {
        switch group.rawValue {
        case 0x001D: (32, 32)
        case 0x0017: (65, 65)
        case 0x0202: (1568, 1568)
        case 0x11EB: (1249, 1153)
        case 0x11EC: (1216, 1120)
        case 0x11ED: (1665, 1665)
        default: (32, 32)
        }
    }

    /// A ClientHello record: TLS 1.3 only, `groups` in supported_groups, a key share for each of
    /// `shares`, and signature_algorithms with `signatureSchemes`.
    public static func clientHello(
        groups: [NamedGroup], shares: [NamedGroup], suites: [UInt16] = [0x1301, 0x1302, 0x1303],
        serverName: String = "pq.test", signatureSchemes: [UInt16] = [0x0403, 0x0804, 0x0904, 0x0906]
    ) -> [UInt8] {
        var body: [UInt8] =
            [0x03, 0x03] + [UInt8](repeating: 0x11, count: 32) + [32] + [UInt8](repeating: 0x22, count: 32)
        body += u16(suites.count * 2) + suites.flatMap(u16)
        body += [1, 0]
        let name = Array(serverName.utf8)
        var extensions = ext(0x0000, u16(name.count + 3) + [0] + u16(name.count) + name)
        extensions += ext(0x000A, u16(groups.count * 2) + groups.flatMap { u16(Int($0.rawValue)) })
        extensions += ext(0x000D, u16(signatureSchemes.count * 2) + signatureSchemes.flatMap(u16))
        extensions += ext(0x002B, [2, 0x03, 0x04])
        let entries = shares.flatMap { group in
            u16(Int(group.rawValue)) + u16(shareSizes(group).client)
                + [UInt8](repeating: 0x5A, count: shareSizes(group).client)
        }
        extensions += ext(0x0033, u16(entries.count) + entries)
        body += u16(extensions.count) + extensions
        return record(handshake(1, body))
    }

    /// A ServerHello record choosing `group` (a HelloRetryRequest for it when `retry`).
    public static func serverHello(group: NamedGroup, suite: UInt16 = 0x1302, retry: Bool = false) -> [UInt8] {
        let random = retry ? helloRetryRequestRandom : [UInt8](repeating: 0x33, count: 32)
        var body: [UInt8] = [0x03, 0x03] + random + [32] + [UInt8](repeating: 0x22, count: 32)
        body += u16(Int(suite)) + [0]
        var extensions = ext(0x002B, [0x03, 0x04])
        let share =
            retry ? [] : u16(shareSizes(group).server) + [UInt8](repeating: 0x6B, count: shareSizes(group).server)
        extensions += ext(0x0033, u16(Int(group.rawValue)) + share)
        body += u16(extensions.count) + extensions
        return record(handshake(2, body))
    }

    /// SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3): the random of a HelloRetryRequest.
    static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    /// The record of the connection a client at 10.9.0.1 makes to `server`:443 with `flights`
    /// (alternately client, server, client, …), judged under `policies` (the first decides findings).
    public static func judge(
        _ flights: [[UInt8]], policies: [Policy] = [.intermediate], server: String = "10.9.0.2"
    ) -> ConnectionRecord? {
        snapshot(flights, policies: policies, server: server).connections.first { $0.protocol == .tls }
    }

    /// The snapshot after that connection.
    public static func snapshot(
        _ flights: [[UInt8]], policies: [Policy] = [.intermediate], server: String = "10.9.0.2"
    ) -> Snapshot {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.policy = policies.first ?? .intermediate
        configuration.aggregation.otherPolicies = Array(policies.dropFirst())
        let analysis = TrafficAnalysis(configuration: configuration)
        let client = ("10.9.0.1", UInt16(50_443))
        let serverEnd = (server, UInt16(443))
        var clientSequence: UInt32 = 1000
        var serverSequence: UInt32 = 9000
        var time: Int64 = 1_800_000_000_000_000_000
        func send(_ frame: [UInt8]) {
            analysis.ingest(raw: frame, at: time)
            time += 1_000_000
        }
        send(FrameBuilder.ipv4TCP(from: client, to: serverEnd, sequence: clientSequence, flags: [.syn]))
        send(
            FrameBuilder.ipv4TCP(
                from: serverEnd, to: client, sequence: serverSequence, acknowledgment: clientSequence + 1,
                flags: [.syn, .ack]))
        clientSequence += 1
        serverSequence += 1
        for (index, flight) in flights.enumerated() {
            if index.isMultiple(of: 2) {
                send(
                    FrameBuilder.ipv4TCP(
                        from: client, to: serverEnd, sequence: clientSequence, acknowledgment: serverSequence,
                        flags: [.ack, .psh], payload: flight))
                clientSequence &+= UInt32(flight.count)
            } else {
                send(
                    FrameBuilder.ipv4TCP(
                        from: serverEnd, to: client, sequence: serverSequence, acknowledgment: clientSequence,
                        flags: [.ack, .psh], payload: flight))
                serverSequence &+= UInt32(flight.count)
            }
        }
        return analysis.snapshot(
            source: .init(kind: "file", name: "synthetic"), generatedAt: Timestamp(nanoseconds: time)
        )
    }

    private static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    private static func u16(_ value: UInt16) -> [UInt8] { u16(Int(value)) }
    private static func ext(_ type: Int, _ data: [UInt8]) -> [UInt8] { u16(type) + u16(data.count) + data }
    private static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16 & 0xFF)] + u16(body.count) + body
    }
    private static func record(_ fragment: [UInt8]) -> [UInt8] { [0x16, 0x03, 0x01] + u16(fragment.count) + fragment }
}
