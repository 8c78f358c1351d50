/// TLS and SSLv2 record framing: whole records from the segment, cut ones through the shared
/// `UnitAccumulator`; each record's content type decides what it tells.
extension HandshakeAnalyzer {
    // MARK: - TLS records

    static let recordHeaderLength = 5

    /// The size of the TLS record at the start of `bytes` (header included).
    func recordSize(_ bytes: UnsafeRawBufferPointer) -> UnitSize {
        var reader = ByteReader(bytes)
        do throws(ParseError) {
            let type = try reader.readUInt8()
            let major = try reader.readUInt8()
            let minor = try reader.readUInt8()
            let length = Int(try reader.readUInt16())
            guard (20...24).contains(type), major == 3, minor <= 4, length <= limits.maximumRecordLength else {
                return .refused(Violation(.recordHeader, "TLS record: invalid header"))
            }
            return .bytes(Self.recordHeaderLength + length)
        } catch {
            // Reject a bad header as soon as its first bytes show it.
            if let type = bytes.first, !(20...24).contains(type) {
                return .refused(Violation(.recordHeader, "TLS record: invalid header"))
            }
            return .needMoreBytes
        }
    }

    func consumeRecords(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        var units = UnitAccumulator()
        swap(&units, &state.units)
        let outcome = units.feed(bytes, size: recordSize) { record in
            guard processRecord(record, state: &state, direction: direction) else { return .stop }
            return state.mode == .tls ? .next : .handOff
        }
        if state.mode != .finished { swap(&units, &state.units) }
        return conclude(outcome, state: &state, direction: direction)
    }

    /// Handles one whole record (header included).
    func processRecord(_ record: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        let fragment = UnsafeRawBufferPointer(rebasing: record.dropFirst(Self.recordHeaderLength))
        switch record.byte(at: 0).flatMap(ContentType.init(rawValue:)) {
        case .handshake:
            guard !state.encrypted else { return true }
            return consumeHandshake(fragment, state: &state, direction: direction)
        case .changeCipherSpec:
            // TLS 1.3 middlebox-compatibility CCS records change nothing (RFC 8446 §D.4); they may
            // come before the ServerHello (after a HelloRetryRequest, or from an eager client),
            // where a TLS 1.2 ChangeCipherSpec can never be.
            if facts.isTLS13 || facts.serverHello == nil { return true }
            state.encrypted = true
            if direction == .client {
                facts.clientChangeCipherSpec = true
            } else {
                facts.serverChangeCipherSpec = true
                if !facts.serverHelloDone && facts.serverHello != nil { facts.abbreviatedHandshake = true }
            }
            // Everything after ChangeCipherSpec is encrypted: this side has told all it will.
            return finish(&state, violation: nil)
        case .alert:
            let readable = !state.encrypted && !(facts.isTLS13 && direction == .server) && fragment.count == 2
            let alert = Alert(
                sender: direction, level: readable ? fragment.byte(at: 0) ?? 0 : 0,
                description: readable ? fragment.byte(at: 1).flatMap(AlertDescription.init(rawValue:)) : nil)
            facts.record(alert)
            if alert.isFatal { return finish(&state, violation: nil) }
            return true
        case .applicationData:
            guard facts.serverHello != nil else { return true }  // early data before the ServerHello
            if direction == .client {
                facts.clientApplicationRecords.incrementSaturating()
            } else {
                facts.serverApplicationRecords.incrementSaturating()
            }
            // TLS 1.3: the first encrypted record after the ServerHello ends what can be seen,
            // unless a key log opens the rest of the handshake.
            if decryptsHandshake { return decryptHandshakeRecord(record, state: &state, direction: direction) }
            return finish(&state, violation: nil)
        case .heartbeat, nil:
            return true
        }
    }

    // MARK: - SSLv2

    func consumeSSLv2(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        var units = UnitAccumulator()
        swap(&units, &state.units)
        let maximum = limits.maximumRecordLength
        let outcome = units.feed(bytes) { header in
            guard let first = header.byte(at: 0), let second = header.byte(at: 1) else { return .needMoreBytes }
            let length = SSLv2Hello.recordLength(first, second) ?? 0
            guard length > 0, length <= maximum else {
                return .refused(Violation(.sslv2Record, "SSLv2 record: invalid header"))
            }
            return .bytes(2 + length)
        } process: { record in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: record.dropFirst(2)))
            do throws(ParseError) {
                if direction == .client {
                    let hello = try SSLv2Hello.parseClientHello(&reader)
                    if facts.clientHello == nil { facts.clientHello = hello }
                } else {
                    let hello = try SSLv2Hello.parseServerHello(&reader)
                    facts.sslv2ServerVersion = hello.version
                    if let certificate = hello.certificate {
                        facts.serverChainLength = 1
                        facts.serverCertificate = try? certificates.facts(for: certificate).get()
                    }
                }
            } catch {
                _ = finish(&state, violation: Violation(.sslv2Hello, "SSLv2 hello: \(error)"))
                return .stop
            }
            if direction == .server {
                _ = finish(&state, violation: nil)
                return .stop
            }
            // After an SSLv2-format hello the client continues in whatever the server picked, which
            // for every real peer of the last 25 years is SSLv3 or TLS records.
            state.mode = .tls
            return .handOff
        }
        if state.mode != .finished { swap(&units, &state.units) }
        return conclude(outcome, state: &state, direction: direction)
    }
}
