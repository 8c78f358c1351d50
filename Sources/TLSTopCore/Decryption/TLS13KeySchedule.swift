import Crypto
import Foundation

/// The hash of a TLS 1.3 cipher suite: SHA-256, or SHA-384 for TLS_AES_256_GCM_SHA384.
public enum TLSHash: Sendable {
    case sha256, sha384

    public var length: Int { self == .sha256 ? 32 : 48 }

    public func digest(_ bytes: some DataProtocol) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        }
    }
}

/// The TLS 1.3 key schedule (RFC 8446 §7.1), the one place where secrets become keys, for both
/// sources of secrets: a key log, which gives the handshake traffic secrets directly, and
/// tlstop's own probe, which computes them from its key share.
public enum TLS13KeySchedule {
    /// HKDF-Expand-Label(Secret, Label, Context, Length).
    public static func expandLabel(
        _ secret: some ContiguousBytes, _ label: String, context: [UInt8] = [], length: Int, hash: TLSHash
    ) -> [UInt8] {
        let full = Array(("tls13 " + label).utf8)
        var info: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        info.append(UInt8(truncatingIfNeeded: full.count))
        info += full
        info.append(UInt8(truncatingIfNeeded: context.count))
        info += context
        let key: SymmetricKey
        switch hash {
        case .sha256: key = HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
        case .sha384: key = HKDF<SHA384>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
        }
        return key.withUnsafeBytes { Array($0) }
    }

    /// HKDF-Extract(salt, IKM).
    public static func extract(salt: [UInt8], inputKeyMaterial: [UInt8], hash: TLSHash) -> [UInt8] {
        let ikm = SymmetricKey(data: inputKeyMaterial)
        switch hash {
        case .sha256: return HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt).withUnsafeBytes { Array($0) }
        case .sha384: return HKDF<SHA384>.extract(inputKeyMaterial: ikm, salt: salt).withUnsafeBytes { Array($0) }
        }
    }

    /// Derive-Secret(Secret, Label, Messages), with the transcript hash already taken.
    public static func deriveSecret(_ secret: [UInt8], _ label: String, transcriptHash: [UInt8], hash: TLSHash)
        -> [UInt8]
    {
        expandLabel(secret, label, context: transcriptHash, length: hash.length, hash: hash)
    }

    /// The client and server handshake traffic secrets of a full handshake without a PSK, from
    /// the (EC)DHE shared secret and the hash of ClientHello…ServerHello.
    public static func handshakeSecrets(sharedSecret: [UInt8], transcriptHash: [UInt8], hash: TLSHash)
        -> HandshakeSecrets
    {
        let zeros = [UInt8](repeating: 0, count: hash.length)
        let early = extract(salt: [], inputKeyMaterial: zeros, hash: hash)
        let derived = deriveSecret(early, "derived", transcriptHash: hash.digest([UInt8]()), hash: hash)
        let handshake = extract(salt: derived, inputKeyMaterial: sharedSecret, hash: hash)
        return HandshakeSecrets(
            client: deriveSecret(handshake, "c hs traffic", transcriptHash: transcriptHash, hash: hash),
            server: deriveSecret(handshake, "s hs traffic", transcriptHash: transcriptHash, hash: hash))
    }
}
