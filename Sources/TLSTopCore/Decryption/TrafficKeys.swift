import Crypto
import CryptoExtras

/// The AEAD of a TLS 1.3 cipher suite that tlstop can open (RFC 8446 §B.4). The CCM suites,
/// which no browser offers, are not supported: their connections keep `cert: null`.
public enum RecordAEAD: Sendable {
    case aes128GCM, aes256GCM, chacha20Poly1305

    public init?(_ suite: CipherSuite) {
        switch suite.rawValue {
        case 0x1301: self = .aes128GCM
        case 0x1302: self = .aes256GCM
        case 0x1303: self = .chacha20Poly1305
        default: return nil
        }
    }

    public var keyLength: Int { self == .aes128GCM ? 16 : 32 }
    public var hash: TLSHash { self == .aes256GCM ? .sha384 : .sha256 }
    static let tagLength = 16
}

/// Why a protected record or packet could not be read.
public enum DecryptionError: Error, Equatable, Sendable {
    /// The tag did not match: a wrong key, or not this key's record.
    case authentication
    /// Shorter than its tag, or a plaintext with no content type.
    case malformed
}

/// The key and IV of one direction at one epoch (RFC 8446 §7.3), and for QUIC the header
/// protection key (RFC 9001 §5.1: the same secret with "quic " labels).
public struct TrafficKeys: Sendable {
    public let aead: RecordAEAD
    let key: SymmetricKey
    let iv: [UInt8]
    let headerProtection: SymmetricKey?

    /// - Parameter labelPrefix: "" for TLS records, "quic " or "quicv2 " for QUIC packets.
    public init(secret: [UInt8], aead: RecordAEAD, labelPrefix: String = "") {
        self.aead = aead
        let hash = aead.hash
        key = SymmetricKey(
            data: TLS13KeySchedule.expandLabel(secret, labelPrefix + "key", length: aead.keyLength, hash: hash))
        iv = TLS13KeySchedule.expandLabel(secret, labelPrefix + "iv", length: 12, hash: hash)
        headerProtection =
            labelPrefix.isEmpty
            ? nil
            : SymmetricKey(
                data: TLS13KeySchedule.expandLabel(secret, labelPrefix + "hp", length: aead.keyLength, hash: hash))
    }

    /// Opens one AEAD payload (ciphertext then tag) with the sequence or packet number mixed into the IV.
    public func open(_ sealed: UnsafeRawBufferPointer, additionalData: UnsafeRawBufferPointer, sequence: UInt64)
        throws(DecryptionError) -> [UInt8]
    {
        guard sealed.count >= RecordAEAD.tagLength else { throw .malformed }
        var nonce = iv
        for index in 0..<8 { nonce[11 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index))) }
        let ciphertext = UnsafeRawBufferPointer(rebasing: sealed.dropLast(RecordAEAD.tagLength))
        let tag = UnsafeRawBufferPointer(rebasing: sealed.suffix(RecordAEAD.tagLength))
        do {
            switch aead {
            case .aes128GCM, .aes256GCM:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try AES.GCM.open(box, using: key, authenticating: additionalData))
            case .chacha20Poly1305:
                let box = try ChaChaPoly.SealedBox(
                    nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try ChaChaPoly.open(box, using: key, authenticating: additionalData))
            }
        } catch {
            throw .authentication
        }
    }

    /// Seals one payload (the probe's own records, and tests).
    public func seal(_ plaintext: [UInt8], additionalData: [UInt8], sequence: UInt64) -> [UInt8] {
        var nonce = iv
        for index in 0..<8 { nonce[11 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index))) }
        do {
            switch aead {
            case .aes128GCM, .aes256GCM:
                let box = try AES.GCM.seal(
                    plaintext, using: key, nonce: AES.GCM.Nonce(data: nonce), authenticating: additionalData)
                return Array(box.ciphertext) + Array(box.tag)
            case .chacha20Poly1305:
                let box = try ChaChaPoly.seal(
                    plaintext, using: key, nonce: ChaChaPoly.Nonce(data: nonce), authenticating: additionalData)
                return Array(box.ciphertext) + Array(box.tag)
            }
        } catch {
            return []  // a 12-byte nonce and a key of the suite's length cannot fail
        }
    }

    /// The 5-byte QUIC header-protection mask for a 16-byte sample (RFC 9001 §5.4): the AES block
    /// function, or ChaCha20 with the sample's first 4 bytes as counter and the rest as nonce.
    public func headerMask(sample: [UInt8]) throws(DecryptionError) -> [UInt8] {
        guard let headerProtection, sample.count == 16 else { throw .malformed }
        do {
            switch aead {
            case .aes128GCM, .aes256GCM:
                var block = sample
                try AES.permute(&block, key: headerProtection)
                return Array(block.prefix(5))
            case .chacha20Poly1305:
                // The sample's first 4 bytes are the block counter (little-endian), the rest the nonce.
                let mask = try Insecure.ChaCha20CTR.encrypt(
                    [UInt8](repeating: 0, count: 5), using: headerProtection,
                    counter: Insecure.ChaCha20CTR.Counter(data: sample[0..<4]),
                    nonce: Insecure.ChaCha20CTR.Nonce(data: sample[4...]))
                return Array(mask)
            }
        } catch {
            throw .malformed
        }
    }
}
