import FuzzSupport
import TLSTopCore

/// The TLS 1.3 messages behind the key log's AEAD: EncryptedExtensions, Certificate,
/// CertificateVerify, Finished and alerts, read from records this target seals with the keys the
/// analyzer will find in its key log, so the fuzzer reaches the parsers behind the cryptography.
///
/// The ClientHello is tlstop's own probe hello (a real layout); the ServerHello is built from
/// RFC 8446's layout with the suite the first input byte picks. Then each `FuzzRecords` record is
/// a TLSInnerPlaintext body: control bit 0 the direction, bit 1 sends it unsealed (the failure
/// path), bit 2 splits it across two reads, bits 3–4 the inner content type.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecryptedHandshake(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    let suites: [UInt16] = [0x1301, 0x1302, 0x1303]
    let suite = suites[Int(input.first ?? 0) % suites.count]
    let aead = RecordAEAD(CipherSuite(rawValue: suite))!
    var handshake = ProbeHandshake(serverName: "tlstop.test")
    let clientHello = handshake.start()
    let random = handshake.clientRandom!
    let secrets = HandshakeSecrets(
        client: [UInt8](repeating: 0x11, count: aead.hash.length),
        server: [UInt8](repeating: 0x22, count: aead.hash.length))
    let keyLog = KeyLog(capacity: 4)
    keyLog.insert(secrets, for: random)
    let analyzer = HandshakeAnalyzer(serverPort: 443, clientPort: 50_000, keyLog: keyLog)
    clientHello.withUnsafeBytes { _ = analyzer.consume($0, from: .client) }
    serverHello(suite: suite).withUnsafeBytes { _ = analyzer.consume($0, from: .server) }

    let keys: [Direction: TrafficKeys] = [
        .client: TrafficKeys(secret: secrets.client!, aead: aead),
        .server: TrafficKeys(secret: secrets.server!, aead: aead),
    ]
    var sequences: [Direction: UInt64] = [.client: 0, .server: 0]
    let contentTypes: [UInt8] = [22, 21, 23, 0]
    for record in FuzzRecords(UnsafeRawBufferPointer(rebasing: input.dropFirst())) {
        let direction: Direction = record.control & 1 == 0 ? .server : .client
        var plaintext = Array(record.bytes)
        plaintext.append(contentTypes[Int(record.control >> 3) & 3])
        let wire: [UInt8]
        if record.control & 2 != 0 {
            wire =
                [23, 3, 3, UInt8(truncatingIfNeeded: plaintext.count >> 8), UInt8(truncatingIfNeeded: plaintext.count)]
                + plaintext
        } else {
            let length = plaintext.count + 16
            guard length <= 16_384 + 256 else { continue }
            let header: [UInt8] = [23, 3, 3, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            let sequence = sequences[direction, default: 0]
            sequences[direction] = sequence &+ 1
            wire = header + keys[direction]!.seal(plaintext, additionalData: header, sequence: sequence)
        }
        if record.control & 4 != 0, wire.count > 1 {
            let cut = wire.count / 2
            Array(wire[..<cut]).withUnsafeBytes { _ = analyzer.consume($0, from: direction) }
            Array(wire[cut...]).withUnsafeBytes { _ = analyzer.consume($0, from: direction) }
        } else {
            wire.withUnsafeBytes { _ = analyzer.consume($0, from: direction) }
        }
    }
    _ = PostureEvaluator.evaluate(analyzer.facts, protocol: .tls, policy: .intermediate, at: .zero)
    return 0
}

/// A TLS 1.3 ServerHello record (RFC 8446 §4.1.3) with an X25519 key share.
func serverHello(suite: UInt16) -> [UInt8] {
    var body: [UInt8] = [3, 3] + [UInt8](repeating: 0x5A, count: 32) + [0]
    body += [UInt8(suite >> 8), UInt8(suite & 0xFF), 0]
    let versions: [UInt8] = [0, 43, 0, 2, 3, 4]
    let share: [UInt8] = [0, 51, 0, 36, 0, 0x1D, 0, 32] + [UInt8](repeating: 9, count: 32)
    let extensions = versions + share
    body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
    let message: [UInt8] = [2, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    return [22, 3, 3, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
}
