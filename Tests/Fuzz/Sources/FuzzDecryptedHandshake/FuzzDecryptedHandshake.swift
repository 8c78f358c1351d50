import FuzzSupport
import TLSTopCore

/// The TLS 1.3 messages behind the key log's AEAD: EncryptedExtensions, Certificate,
/// CertificateVerify, Finished, alerts, padding and inner content types, read from records this
/// target seals with the keys the analyzer finds in its key log, so the fuzzer reaches the parsers
/// behind the cryptography.
///
/// The connection starts with a captured ClientHello and ServerHello (`CapturedHandshake`), the
/// ServerHello's cipher suite set by the first input byte (bits 0–6 modulo 3: as captured, AES-128,
/// ChaCha20; bit 7: the key log gets the secrets only after the first record, as a live log read a
/// little late does). Then each `FuzzRecords` record is a TLSInnerPlaintext body:
/// - bit 0: 0 server, 1 client;
/// - bit 1: sent as it is, unsealed (authentication failure, or a record shorter than its tag);
/// - bit 2: the record is cut in two reads;
/// - bits 3–5: the inner content type appended (`contentTypes`);
/// - bits 6–7: how much zero padding follows it (`paddings`).
/// Sealed records use the direction's handshake traffic keys and its own sequence numbers, with the
/// record header as additional data (RFC 8446 §5.2).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecryptedHandshake(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    let first = input.first ?? 0
    let connection = connections[Int(first & 0x7F) % connections.count]
    let lateKeys = first & 0x80 != 0

    let keyLog = KeyLog(capacity: 4)
    if !lateKeys { connection.giveSecrets(to: keyLog) }
    let counter = HandshakeLimitCounter()
    let analyzer = HandshakeAnalyzer(limitCounter: counter, serverPort: 443, clientPort: 50_000, keyLog: keyLog)
    CapturedHandshake.clientHello.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
    (connection.serverHello + CapturedHandshake.changeCipherSpec).withUnsafeBytes {
        _ = analyzer.consume($0, from: .server)
    }

    var sequences: [Direction: UInt64] = [.client: 0, .server: 0]
    var secretsGiven = !lateKeys
    for record in FuzzRecords(UnsafeRawBufferPointer(rebasing: input.dropFirst())) {
        let direction: Direction = record.control & 1 == 0 ? .server : .client
        var wire: [UInt8]
        if record.control & 2 != 0 {
            wire = recordHeader(length: record.bytes.count)
            wire += record.bytes
        } else {
            var plaintext = Array(record.bytes)
            plaintext.append(contentTypes[Int(record.control >> 3) & 7])
            plaintext += repeatElement(0, count: paddings[Int(record.control >> 6)])
            let length = plaintext.count + 16
            guard length <= 0xFFFF else { continue }
            wire = recordHeader(length: length)
            let sequence = sequences[direction, default: 0]
            sequences[direction] = sequence &+ 1
            wire += connection.keys[direction]!.seal(plaintext, additionalData: wire, sequence: sequence)
        }
        if record.control & 4 != 0, wire.count > 1 {
            let cut = wire.count / 2
            wire[..<cut].withUnsafeBytes { _ = analyzer.consume($0, from: direction) }
            wire[cut...].withUnsafeBytes { _ = analyzer.consume($0, from: direction) }
        } else {
            wire.withUnsafeBytes { _ = analyzer.consume($0, from: direction) }
        }
        if !secretsGiven {
            connection.giveSecrets(to: keyLog)
            secretsGiven = true
        }
    }

    // No more records opened than were sealed, and the key log counted once per connection.
    let decrypted = analyzer.facts.decrypted
    guard (decrypted?.serverRecords ?? 0) <= sequences[.server]!, (decrypted?.clientRecords ?? 0) <= sequences[.client]!
    else { fatalError("more records opened than sealed: \(String(describing: decrypted))") }
    guard (0...1).contains(counter.decryptedHandshakes), (0...1).contains(counter.keyLogMisses),
        (0...2).contains(counter.decryptionFailures)
    else {
        fatalError(
            "key log counters: \(counter.decryptedHandshakes) opened, \(counter.keyLogMisses) missed, "
                + "\(counter.decryptionFailures) failed")
    }
    _ = PostureEvaluator.evaluate(analyzer.facts, protocol: .tls, policy: .intermediate, at: .zero)
    return 0
}

/// The inner content types bits 3–5 pick: handshake twice as often, then alert, application data,
/// ChangeCipherSpec and heartbeat (never valid inside), none (the body's last non-zero byte becomes
/// the type), and one no version defines.
private let contentTypes: [UInt8] = [22, 22, 21, 23, 20, 24, 0, 0x42]
/// Zero padding after the content type (RFC 8446 §5.4), picked by bits 6–7.
private let paddings = [0, 1, 31, 256]

private func recordHeader(length: Int) -> [UInt8] {
    [23, 3, 3, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
}

/// The captured handshake with one cipher suite: its ServerHello, the key log lines that give the
/// connection's handshake traffic secrets (fixed bytes of the suite's hash length) and the keys
/// the target seals with, derived once.
private struct Connection: Sendable {
    let serverHello: [UInt8]
    let keyLogLines: [UInt8]
    let keys: [Direction: TrafficKeys]
    let secrets: HandshakeSecrets

    init(suite: UInt16) {
        var hello = CapturedHandshake.serverHello
        hello[CapturedHandshake.serverHelloSuiteOffset] = UInt8(suite >> 8)
        hello[CapturedHandshake.serverHelloSuiteOffset + 1] = UInt8(suite & 0xFF)
        serverHello = hello
        guard let aead = RecordAEAD(CipherSuite(rawValue: suite)) else { fatalError("suite \(suite) has no AEAD") }
        let client = [UInt8](repeating: 0x11, count: aead.hash.length)
        let server = [UInt8](repeating: 0x22, count: aead.hash.length)
        secrets = HandshakeSecrets(client: client, server: server)
        let random = Hex.encode(CapturedHandshake.clientRandom)
        keyLogLines = Array(
            """
            # SSL/TLS secrets log file, generated by OpenSSL
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(random) \(Hex.encode(client))
            SERVER_HANDSHAKE_TRAFFIC_SECRET \(random) \(Hex.encode(server))

            """.utf8)
        keys = [.client: TrafficKeys(secret: client, aead: aead), .server: TrafficKeys(secret: server, aead: aead)]
    }

    func giveSecrets(to keyLog: KeyLog) {
        keyLog.ingest(keyLogLines)
        guard let random = ClientRandom(CapturedHandshake.clientRandom),
            let found = keyLog.secrets(for: random), found.client == secrets.client, found.server == secrets.server
        else { fatalError("the key log did not take the target's lines") }
    }
}

/// The suite as captured (TLS_AES_256_GCM_SHA384), then the two others a key log can open.
private let connections = [0x1302, 0x1301, 0x1303].map { Connection(suite: $0) }
