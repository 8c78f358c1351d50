/// TLS 1.3 over TCP with a key log: the records after the ServerHello are opened with the
/// handshake traffic secrets of the connection (found by its client random), and the handshake
/// messages inside go through the same message parsing as clear ones. Reading stops at the side's
/// Finished: application data is never opened, and nothing decrypted is kept but facts.
extension HandshakeAnalyzer {
    /// The protection state of one direction's encrypted handshake.
    struct RecordDecryption {
        var keys: TrafficKeys?
        var sequence: UInt64 = 0
        /// Records that came before the key log had the connection's secrets (a live log is read
        /// a little after the packets that need it).
        var pending: [[UInt8]] = []
        var pendingBytes = 0
        var opened = 0
        var failures = 0

        static let maximumPendingRecords = 16
        static let maximumPendingBytes = 64 * 1024
        /// Client records that fail before one opens: 0-RTT data, under the early secret.
        static let maximumEarlyRecords = 8
    }

    /// Whether this TCP connection's encrypted handshake can be read.
    var decryptsHandshake: Bool {
        keyLog != nil && clientRandom != nil && facts.isTLS13 && facts.quicVersion == nil && !facts.isDTLS
    }

    /// The random of the ClientHello message (type, length, version, then the 32 bytes).
    func rememberClientRandom(_ message: UnsafeRawBufferPointer) {
        guard keyLog != nil, clientRandom == nil, message.count >= 38 else { return }
        clientRandom = ClientRandom(UnsafeRawBufferPointer(rebasing: message[6..<38]))
    }

    /// One record of the encrypted part of the handshake (outer type application_data).
    func decryptHandshakeRecord(_ record: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        var decryption = state.decryption ?? RecordDecryption()
        state.decryption = nil
        if decryption.keys == nil { decryption.keys = trafficKeys(for: direction) }
        guard decryption.keys != nil else {
            guard decryption.pending.count < RecordDecryption.maximumPendingRecords,
                decryption.pendingBytes + record.count <= RecordDecryption.maximumPendingBytes
            else {
                countKeyLogMiss()
                return finish(&state, violation: nil)
            }
            // Counted as missing now; taken back if the keys come while the records are held.
            countKeyLogMiss()
            decryption.pending.append(Array(record))
            decryption.pendingBytes += record.count
            state.decryption = decryption
            return true
        }
        let pending = decryption.pending
        if !pending.isEmpty, keyLogMissCounted {
            keyLogMissCounted = false
            limitCounter?.keyLogMisses -= 1
        }
        decryption.pending = []
        decryption.pendingBytes = 0
        for earlier in pending {
            let wantsMore = earlier.withUnsafeBytes { bytes -> Bool in
                open(bytes, with: &decryption, state: &state, direction: direction)
            }
            guard wantsMore else { return false }
        }
        guard open(record, with: &decryption, state: &state, direction: direction) else { return false }
        state.decryption = decryption
        return true
    }

    /// Once per connection, whichever side gives up first.
    func countKeyLogMiss() {
        guard !keyLogMissCounted else { return }
        keyLogMissCounted = true
        limitCounter?.keyLogMisses += 1
    }

    private func trafficKeys(for direction: Direction) -> TrafficKeys? {
        guard let clientRandom, let suite = facts.serverHello?.cipherSuite, let aead = RecordAEAD(suite),
            let secret = keyLog?.secrets(for: clientRandom)?.secret(of: direction),
            secret.count == aead.hash.length
        else { return nil }
        return TrafficKeys(secret: secret, aead: aead)
    }

    private func open(
        _ record: UnsafeRawBufferPointer, with decryption: inout RecordDecryption, state: inout StreamState,
        direction: Direction
    ) -> Bool {
        guard let keys = decryption.keys else { return true }
        let header = UnsafeRawBufferPointer(rebasing: record.prefix(Self.recordHeaderLength))
        let sealed = UnsafeRawBufferPointer(rebasing: record.dropFirst(Self.recordHeaderLength))
        var plaintext: [UInt8]
        do throws(DecryptionError) {
            plaintext = try keys.open(sealed, additionalData: header, sequence: decryption.sequence)
        } catch .authentication {
            if direction == .client, decryption.opened == 0,
                decryption.failures < RecordDecryption.maximumEarlyRecords
            {
                decryption.failures += 1
                return true
            }
            // A wrong key (or a log for another connection with this random): nothing to read.
            limitCounter?.decryptionFailures += 1
            return finish(&state, violation: nil)
        } catch {
            return finish(&state, violation: Violation(.decryptedRecord, "encrypted record shorter than its tag"))
        }
        decryption.sequence &+= 1
        decryption.opened += 1
        if decryption.opened == 1 && direction == .server { limitCounter?.decryptedHandshakes += 1 }
        var decrypted = facts.decrypted ?? DecryptedHandshake()
        if direction == .server { decrypted.serverRecords += 1 } else { decrypted.clientRecords += 1 }
        facts.decrypted = decrypted
        // TLSInnerPlaintext: content, the real content type, then zero padding (RFC 8446 §5.2).
        var contentType: UInt8 = 0
        while let last = plaintext.popLast() {
            if last != 0 {
                contentType = last
                break
            }
        }
        switch ContentType(rawValue: contentType) {
        case .handshake:
            return plaintext.withUnsafeBytes {
                consumeHandshake($0, state: &state, direction: direction, decrypted: true)
            }
        case .alert:
            let alert = plaintext.withUnsafeBytes { bytes in
                Alert(
                    sender: direction, level: bytes.byte(at: 0) ?? 0,
                    description: bytes.count == 2 ? bytes.byte(at: 1).flatMap(AlertDescription.init(rawValue:)) : nil)
            }
            facts.record(alert)
            return alert.isFatal ? finish(&state, violation: nil) : true
        case .applicationData:
            // The handshake is over on this side; its data is not for tlstop.
            return finish(&state, violation: nil)
        case .changeCipherSpec, .heartbeat, nil:
            return finish(
                &state, violation: Violation(.decryptedRecord, "encrypted record of content type \(contentType)"))
        }
    }

    /// A decrypted EncryptedExtensions, CertificateVerify or Finished.
    func processEncryptedMessage(_ type: HandshakeType, _ reader: inout ByteReader, direction: Direction)
        throws(ParseError) -> Bool
    {
        var decrypted = facts.decrypted ?? DecryptedHandshake()
        defer { facts.decrypted = decrypted }
        switch (direction, type) {
        case (.server, .encryptedExtensions):
            let extensions = try EncryptedExtensions(parsing: &reader)
            decrypted.alpn = extensions.alpn
            decrypted.echRejected = extensions.echRetryConfigs
        case (_, .certificateVerify):
            let scheme = SignatureScheme(rawValue: try reader.readUInt16())
            if direction == .server {
                decrypted.serverSignatureScheme = scheme
            } else {
                decrypted.clientSignatureScheme = scheme
            }
        case (_, .finished):
            if direction == .server { decrypted.serverFinished = true } else { decrypted.clientFinished = true }
            return false
        default:
            break
        }
        return true
    }
}
