import Crypto
import CryptoExtras
import Foundation

/// QUIC versions whose Initial packets tlstop can open, with what differs between them.
public struct QUICVersion: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let version1 = QUICVersion(rawValue: 0x0000_0001)
    public static let version2 = QUICVersion(rawValue: 0x6B33_43CF)

    /// The public salt of RFC 9001 §5.2 / RFC 9369 §3.3.1.
    var initialSalt: [UInt8]? {
        switch self {
        case .version1:
            [
                0x38, 0x76, 0x2C, 0xF7, 0xF5, 0x59, 0x34, 0xB3, 0x4D, 0x17, 0x9A, 0xE6, 0xA4, 0xC8, 0x0C, 0xAD, 0xCC,
                0xBB,
                0x7F, 0x0A,
            ]
        case .version2:
            [
                0x0D, 0xED, 0xE3, 0xDE, 0xF7, 0x00, 0xA6, 0xDB, 0x81, 0x93, 0x81, 0xBE, 0x6E, 0x26, 0x9D, 0xCB, 0xF9,
                0xBD,
                0x2E, 0xD9,
            ]
        case .googleQ050:
            // Chromium's kQ050Salt: Q050 protects its Initials like IETF QUIC, with this salt.
            [
                0x50, 0x45, 0x74, 0xEF, 0xD0, 0x66, 0xFE, 0x2F, 0x9D, 0x94, 0x5C, 0xFC, 0xDB, 0xD3, 0xA7, 0xF0, 0xD3,
                0xB5, 0x6B, 0x45,
            ]
        default: nil
        }
    }

    static let googleQ050 = QUICVersion(rawValue: 0x5130_3530)

    /// The long-header type bits of an Initial packet (RFC 9369 §3.2 swaps them in v2).
    var initialType: UInt8 { self == .version2 ? 1 : 0 }
    var retryType: UInt8 { self == .version2 ? 0 : 3 }
    var labelPrefix: String { self == .version2 ? "quicv2 " : "quic " }
    /// The long-header type of a Handshake packet (RFC 9000 §17.2.4; RFC 9369 §3.2).
    var handshakeType: UInt8 { self == .version2 ? 3 : 2 }

    /// Google QUIC ("Q0xx" with QUIC crypto, "T0xx" with TLS).
    public var isGoogle: Bool {
        (0x5130_3030...0x5130_39FF).contains(rawValue) || (0x5430_3030...0x5430_39FF).contains(rawValue)
    }

    public var name: String {
        switch rawValue {
        case 0x0000_0001: return "QUICv1"
        case 0x6B33_43CF: return "QUICv2"
        case 0: return "version-negotiation"
        case 0xFF00_0000...0xFF00_00FF: return "draft-\(rawValue & 0xFF)"
        case 0x5130_3030...0x5130_39FF, 0x5430_3030...0x5430_39FF:
            // Google QUIC: "Q0xx" and "T0xx" in ASCII, named as Chromium and Wireshark do.
            let bytes = withUnsafeBytes(of: rawValue.bigEndian) { Array($0) }
            return String(decoding: bytes, as: UTF8.self)
        default:
            return String(format: "0x%08x", rawValue)
        }
    }
}

/// The keys that protect one direction's Initial packets, derived from the client's first
/// Destination Connection ID and the version's public salt (RFC 9001 §5.2): anyone on the path can
/// compute them, which is what lets a passive monitor read the handshake.
struct QUICInitialKeys {
    let key: SymmetricKey
    let iv: [UInt8]
    let headerProtection: SymmetricKey

    init(connectionID: [UInt8], version: QUICVersion, isServer: Bool) throws(ParseError) {
        guard let salt = version.initialSalt else { throw ParseError(.unsupported, "QUIC \(version.name)") }
        let initialSecret = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: connectionID), salt: salt)
        let secret = Self.expandLabel(initialSecret, isServer ? "server in" : "client in", length: 32)
        let prefix = version.labelPrefix
        key = SymmetricKey(data: Self.expandLabel(secret, prefix + "key", length: 16))
        iv = Self.expandLabel(secret, prefix + "iv", length: 12)
        headerProtection = SymmetricKey(data: Self.expandLabel(secret, prefix + "hp", length: 16))
    }

    /// HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an empty context.
    static func expandLabel(_ secret: some ContiguousBytes, _ label: String, length: Int) -> [UInt8] {
        TLS13KeySchedule.expandLabel(secret, label, length: length, hash: .sha256)
    }

    /// The 5-byte header-protection mask for a 16-byte sample (AES block function, RFC 9001 §5.4.3).
    func mask(sample: [UInt8]) throws(ParseError) -> [UInt8] {
        var block = sample
        do {
            try AES.permute(&block, key: headerProtection)
        } catch {
            throw ParseError(.malformed, "header protection sample")
        }
        return Array(block.prefix(5))
    }

    /// Opens an Initial payload: AES-128-GCM with the packet number mixed into the IV.
    func open(_ ciphertext: ArraySlice<UInt8>, header: [UInt8], packetNumber: UInt64) throws(ParseError) -> [UInt8] {
        guard ciphertext.count >= 16 else { throw ParseError(.truncated, "QUIC payload shorter than its tag") }
        var nonce = iv
        for index in 0..<8 { nonce[11 - index] ^= UInt8(truncatingIfNeeded: packetNumber >> (8 * UInt64(index))) }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext.dropLast(16), tag: ciphertext.suffix(16))
            return Array(try AES.GCM.open(box, using: key, authenticating: header))
        } catch {
            throw ParseError(.malformed, "QUIC Initial failed authentication")
        }
    }
}
