import Crypto
import CryptoExtras
import Foundation
import FuzzSupport
import TLSTopCore

/// QUIC Initial handling: long headers, header protection, AES-128-GCM, CRYPTO frame reassembly and
/// the TLS handshake inside, and the UDP datagrams that are not QUIC at all.
///
/// Input: records whose control byte's bit 0 is the direction and bit 1 the mode. Raw records are
/// datagrams as captured (seeds: the QUIC fixtures), which mostly fail authentication once mutated;
/// constructed records are `[DCID length][DCID][frames]` that this target seals into a valid
/// Initial (bit 2 picks QUIC v2), so the fuzzer reaches the frame and handshake parsers behind the
/// cryptography.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQUIC(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    let analyzer = HandshakeAnalyzer(serverPort: 443, clientPort: 50_000)
    var sealer = InitialSealer()
    for record in FuzzRecords(input) {
        let direction: Direction = record.control & 1 == 0 ? .client : .server
        if record.control & 2 == 0 {
            _ = analyzer.observeDatagram(record.bytes, from: direction)
        } else if let datagram = sealer.seal(
            record.bytes, from: direction, version2: record.control & 4 != 0)
        {
            _ = datagram.withUnsafeBytes { analyzer.observeDatagram($0, from: direction) }
        }
    }
    _ = PostureEvaluator.evaluate(analyzer.facts, protocol: .quic, policy: .intermediate, at: .zero)
    return 0
}

/// Builds protected Initial packets the way a QUIC endpoint does (RFC 9001 §5), independently of
/// the code under test.
struct InitialSealer {
    private var clientConnectionID: [UInt8]?
    private var packetNumbers: [Direction: UInt32] = [:]

    mutating func seal(_ record: UnsafeRawBufferPointer, from direction: Direction, version2: Bool) -> [UInt8]? {
        guard let length = record.first, Int(length) <= 20, record.count >= 1 + Int(length) else { return nil }
        let destination = Array(record[1..<(1 + Int(length))])
        var frames = Array(record[(1 + Int(length))...])
        // The sample for header protection starts 4 bytes after the packet number: pad with PADDING.
        if frames.count < 4 { frames += [UInt8](repeating: 0, count: 4 - frames.count) }
        let secretID = clientConnectionID ?? destination
        if direction == .client && clientConnectionID == nil { clientConnectionID = destination }

        let version: UInt32 = version2 ? 0x6B33_43CF : 1
        let salt: [UInt8] =
            version2
            ? [
                0x0D, 0xED, 0xE3, 0xDE, 0xF7, 0x00, 0xA6, 0xDB, 0x81, 0x93, 0x81, 0xBE, 0x6E, 0x26, 0x9D, 0xCB, 0xF9,
                0xBD, 0x2E, 0xD9,
            ]
            : [
                0x38, 0x76, 0x2C, 0xF7, 0xF5, 0x59, 0x34, 0xB3, 0x4D, 0x17, 0x9A, 0xE6, 0xA4, 0xC8, 0x0C, 0xAD, 0xCC,
                0xBB, 0x7F, 0x0A,
            ]
        let prefix = version2 ? "quicv2 " : "quic "
        let initial = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: secretID), salt: salt)
        let secret = Self.expandLabel(initial, direction == .client ? "client in" : "server in", 32)
        let key = SymmetricKey(data: Self.expandLabel(secret, prefix + "key", 16))
        let iv = Self.expandLabel(secret, prefix + "iv", 12)
        let headerKey = SymmetricKey(data: Self.expandLabel(secret, prefix + "hp", 16))

        let packetNumber = packetNumbers[direction, default: 0]
        packetNumbers[direction] = packetNumber &+ 1
        let type: UInt8 = version2 ? 1 : 0
        var header: [UInt8] = [0xC0 | type << 4 | 0x03]
        header += withUnsafeBytes(of: version.bigEndian) { Array($0) }
        header += [UInt8(destination.count)] + destination + [0]  // no source connection ID
        header += [0]  // no token
        let remaining = 4 + frames.count + 16
        guard remaining < 0x4000 else { return nil }
        header += [0x40 | UInt8(remaining >> 8), UInt8(remaining & 0xFF)]
        let numberOffset = header.count
        header += withUnsafeBytes(of: packetNumber.bigEndian) { Array($0) }

        var nonce = iv
        for index in 0..<4 { nonce[11 - index] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt32(index))) }
        guard let gcmNonce = try? AES.GCM.Nonce(data: nonce),
            let box = try? AES.GCM.seal(frames, using: key, nonce: gcmNonce, authenticating: header)
        else { return nil }
        var packet = header + Array(box.ciphertext) + Array(box.tag)
        var sample = Array(packet[(numberOffset + 4)..<(numberOffset + 20)])
        guard (try? AES.permute(&sample, key: headerKey)) != nil else { return nil }
        packet[0] ^= sample[0] & 0x0F
        for index in 0..<4 { packet[numberOffset + index] ^= sample[1 + index] }
        return packet
    }

    static func expandLabel(_ secret: some ContiguousBytes, _ label: String, _ length: Int) -> [UInt8] {
        let full = Array(("tls13 " + label).utf8)
        let info = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(full.count)] + full + [0]
        return HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
            .withUnsafeBytes { Array($0) }
    }
}
