/// UDP flows: QUIC (IETF Initials opened, Google QUIC's CHLO read), DTLS (`HandshakeAnalyzer+DTLS`)
/// and the datagram protocols named from one datagram.
extension HandshakeAnalyzer {
    // MARK: - Datagrams

    /// Names a UDP flow from one of its datagrams. Returns false once it has seen enough.
    public func observeDatagram(_ bytes: UnsafeRawBufferPointer, from direction: Direction) -> Bool {
        guard !bytes.isEmpty else { return true }
        if quicState != nil || Self.looksLikeQUICLongHeader(bytes) || GoogleQUIC.publicHeaderVersion(bytes) != nil {
            return observeQUIC(bytes, from: direction)
        }
        if facts.isDTLS || DTLSRecords.looksLikeDTLS(bytes) { return observeDTLS(bytes, from: direction) }
        switch DatagramClassifier.classify(bytes, from: direction, serverPort: serverPort, clientPort: clientPort) {
        case .plaintext(let application):
            facts.application.protocolName = application
            // The SNMP v1/v2c community is a password in clear.
            if application == .snmp { facts.application.markCredentials("snmp-community") }
        case .encrypted(let encrypted):
            // On port 4500 IKE and ESP share the flow; ESP, the traffic itself, names it.
            if facts.application.encryptedProtocol != .esp { facts.application.encryptedProtocol = encrypted }
        case nil:
            break
        }
        client.messages.incrementSaturating()
        let waitingForESP = facts.application.encryptedProtocol == .ike && (serverPort == 4500 || clientPort == 4500)
        let decided = facts.application.protocolName != nil || facts.application.encryptedProtocol != nil
        if (decided && !waitingForESP) || client.messages >= 8 {
            release(&client)
            release(&server)
            return false
        }
        return true
    }

    // MARK: - QUIC

    /// A long header (form and fixed bits set) with a version tlstop knows or can name.
    static func looksLikeQUICLongHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 7, let first = bytes.byte(at: 0), first & 0xC0 == 0xC0,
            let version = bytes.bigEndian(at: 1, size: 4)
        else { return false }
        return QUICVersion(rawValue: version).initialSalt != nil
            || QUICVersion(rawValue: version).isGoogle
            || QUICVersion(rawValue: version).name.hasPrefix("draft") || version == 0
    }

    /// Opens the Initial packets of a QUIC datagram (coalesced packets included) and feeds their
    /// CRYPTO data to the same handshake analysis as TCP. A packet that fails authentication is
    /// counted and ignored: it never touches the connection's state.
    func observeQUIC(_ datagram: UnsafeRawBufferPointer, from direction: Direction) -> Bool {
        if let version = Self.googleClearVersion(datagram) {
            return observeGoogleQUIC(datagram, version, from: direction)
        }
        var offset = 0
        while offset < datagram.count {
            let parsed: QUICPacket.LongHeader?
            do throws(ParseError) {
                parsed = try QUICPacket.longHeader(datagram, at: offset)
            } catch {
                record(Violation(.quic, "QUIC long header: \(error.description)"))
                break
            }
            guard let header = parsed else { break }
            if quicState == nil { quicState = QUICState(version: header.version) }
            facts.quicVersion = header.version
            guard header.version.initialSalt != nil else { break }  // named, not decrypted
            if header.type == header.version.retryType {
                // The client's next Initial carries the Retry's connection ID; keys follow it.
                quicState?.clientKeys = nil
                quicState?.serverKeys = nil
                break
            }
            if header.type == header.version.initialType {
                openInitial(datagram, header, from: direction)
            } else if header.type == header.version.handshakeType, keyLog != nil, !header.version.isGoogle {
                openHandshake(datagram, header, from: direction)
            }
            guard header.end > offset else { break }
            offset = header.end
        }
        quicState?.datagrams += 1
        // With a key log the server's Handshake packets are read up to its Finished.
        let handshakeRead = keyLog == nil || clientRandom == nil || facts.decrypted?.serverFinished == true
        let done =
            (facts.serverHello != nil && handshakeRead) || facts.googleQUIC != nil
            || (quicState?.datagrams ?? 0) >= QUICState.maximumDatagrams || facts.quicVersion?.initialSalt == nil
        if done {
            release(&client)
            release(&server)
        }
        return !done
    }

    func openInitial(
        _ datagram: UnsafeRawBufferPointer, _ header: QUICPacket.LongHeader, from direction: Direction
    ) {
        guard let state = quicState else { return }
        if direction == .client, state.clientKeys == nil || header.destination != state.clientConnectionID,
            facts.serverHello == nil
        {
            // Keys come from the Destination Connection ID of the client's first Initial (or the
            // one after a Retry).
            state.clientConnectionID = header.destination
            state.clientKeys = try? QUICInitialKeys(
                connectionID: header.destination, version: header.version, isServer: false)
            state.serverKeys = try? QUICInitialKeys(
                connectionID: header.destination, version: header.version, isServer: true)
        }
        guard let keys = direction == .client ? state.clientKeys : state.serverKeys,
            let payload = try? QUICPacket.open(datagram, header, keys: keys)
        else {
            state.authenticationFailures += 1
            facts.quicAuthenticationFailures.incrementSaturating()
            return
        }
        if header.version.isGoogle {
            // Q050: gQUIC frames, a CHLO instead of a TLS ClientHello.
            if direction == .client, facts.googleQUIC == nil {
                recordGoogleHello { () throws(ParseError) in try GoogleQUIC.helloInCryptoFrames(payload) }
            }
            return
        }
        let frames: [(offset: UInt64, data: [UInt8])]
        do throws(ParseError) {
            frames = try QUICPacket.cryptoFrames(payload)
        } catch {
            // Authenticated, so the peer really sent it: a violation, not noise.
            record(Violation(.quic, "QUIC Initial frames: \(error.description)"))
            return
        }
        for frame in frames {
            let fresh: ArraySlice<UInt8>
            if direction == .client {
                fresh = quicState?.clientCrypto.add(offset: frame.offset, data: frame.data) ?? []
            } else {
                fresh = quicState?.serverCrypto.add(offset: frame.offset, data: frame.data) ?? []
            }
            guard !fresh.isEmpty else { continue }
            fresh.withUnsafeBytes { bytes in
                switch direction {
                case .client: _ = consumeHandshake(bytes, state: &client, direction: .client)
                case .server: _ = consumeHandshake(bytes, state: &server, direction: .server)
                }
            }
        }
    }

    /// A Handshake packet, opened with the key log's secrets for this connection; its CRYPTO data
    /// (EncryptedExtensions, Certificate, CertificateVerify, Finished) goes to the same message
    /// parsing as TCP's decrypted records.
    func openHandshake(_ datagram: UnsafeRawBufferPointer, _ header: QUICPacket.LongHeader, from direction: Direction) {
        guard let state = quicState, let clientRandom, let suite = facts.serverHello?.cipherSuite,
            let aead = RecordAEAD(suite)
        else { return }
        if (direction == .client ? state.clientHandshakeKeys : state.serverHandshakeKeys) == nil,
            let secret = keyLog?.secrets(for: clientRandom)?.secret(of: direction), secret.count == aead.hash.length
        {
            let keys = QUICHandshakeKeys(
                traffic: TrafficKeys(secret: secret, aead: aead, labelPrefix: header.version.labelPrefix))
            if direction == .client { state.clientHandshakeKeys = keys } else { state.serverHandshakeKeys = keys }
        }
        guard let keys = direction == .client ? state.clientHandshakeKeys : state.serverHandshakeKeys else {
            return  // not (yet) in the log
        }
        let payload: [UInt8]
        do throws(ParseError) {
            payload = try QUICPacket.open(datagram, header, keys: keys)
        } catch {
            limitCounter?.decryptionFailures += 1
            return
        }
        let frames: [(offset: UInt64, data: [UInt8])]
        do throws(ParseError) {
            frames = try QUICPacket.cryptoFrames(payload)
        } catch {
            record(Violation(.quic, "QUIC Handshake frames: \(error.description)"))
            return
        }
        var decrypted = facts.decrypted ?? DecryptedHandshake()
        if direction == .server {
            if decrypted.serverRecords == 0 { limitCounter?.decryptedHandshakes += 1 }
            decrypted.serverRecords += 1
        } else {
            decrypted.clientRecords += 1
        }
        facts.decrypted = decrypted
        for frame in frames {
            let fresh: ArraySlice<UInt8>
            if direction == .client {
                fresh = quicState?.clientHandshakeCrypto.add(offset: frame.offset, data: frame.data) ?? []
            } else {
                fresh = quicState?.serverHandshakeCrypto.add(offset: frame.offset, data: frame.data) ?? []
            }
            guard !fresh.isEmpty else { continue }
            fresh.withUnsafeBytes { bytes in
                switch direction {
                case .client: _ = consumeHandshake(bytes, state: &client, direction: .client, decrypted: true)
                case .server: _ = consumeHandshake(bytes, state: &server, direction: .server, decrypted: true)
                }
            }
        }
    }

    /// The version of a Google QUIC packet sent without encryption (Q043–Q049), in either header.
    static func googleClearVersion(_ datagram: UnsafeRawBufferPointer) -> QUICVersion? {
        if let version = GoogleQUIC.publicHeaderVersion(datagram) { return version }
        guard datagram.count >= 6, let first = datagram.byte(at: 0), first & 0x80 != 0,
            let raw = datagram.bigEndian(at: 1, size: 4)
        else { return nil }
        let version = QUICVersion(rawValue: raw)
        return GoogleQUIC.isQUICCrypto(version) && version.initialSalt == nil ? version : nil
    }

    /// Q043–Q049: the client's first packet carries its CHLO in clear; the rest is encrypted.
    func observeGoogleQUIC(
        _ datagram: UnsafeRawBufferPointer, _ version: QUICVersion, from direction: Direction
    )
        -> Bool
    {
        if quicState == nil { quicState = QUICState(version: version) }
        facts.quicVersion = version
        quicState?.datagrams += 1
        if direction == .client, facts.googleQUIC == nil {
            recordGoogleHello { () throws(ParseError) in try GoogleQUIC.clearHello(datagram) }
        }
        let done = facts.googleQUIC != nil || (quicState?.datagrams ?? 0) >= QUICState.maximumDatagrams
        if done {
            release(&client)
            release(&server)
        }
        return !done
    }

    func recordGoogleHello(_ parse: () throws(ParseError) -> GoogleQUICHello?) {
        do throws(ParseError) {
            facts.googleQUIC = try parse()
        } catch {
            record(Violation(.googleQUIC, "gQUIC CHLO: \(error.reason)"))
        }
    }

    /// A data connection this FTP control connection announced, handed over once.
    /// Asked after every TCP packet: it writes only when there was one, so that a connection
    /// with no clear text never makes its out-of-line application facts.
    public func takeAnnouncedDataPort() -> (host: IPAddress?, port: UInt16)? {
        guard let announced = facts.application.announcedDataPort else { return nil }
        facts.application.announcedDataPort = nil
        return announced
    }

    /// Names a connection before its first byte, when another connection announced it.
    public func presetApplication(_ application: ApplicationProtocol) {
        facts.application.protocolName = application
    }

    /// Marks a flow of a protocol the decoder recognized by itself (IPsec ESP).
    public func markEncrypted(_ encrypted: EncryptedProtocol) {
        facts.application.encryptedProtocol = encrypted
        release(&client)
        release(&server)
    }
}
