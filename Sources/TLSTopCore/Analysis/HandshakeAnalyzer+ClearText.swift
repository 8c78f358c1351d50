/// The clear-text protocols: line protocols (STARTTLS, HTTP CONNECT, logins), binary ones (through
/// the shared `UnitAccumulator`) and Telnet, watched for an upgrade or a tunnel and for credentials.
extension HandshakeAnalyzer {
    // MARK: - Plaintext lines

    func consumeLines(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        var input = bytes[...]
        while !input.isEmpty {
            if state.lineBuffer.isEmpty, upgradeStarts(input) {
                return switchToTLS(input, state: &state, direction: direction)
            }
            // XMPP has no line feeds: each tag is a "line", its closing '>' kept.
            let isXML =
                facts.application.protocolName == .xmpp
                || (facts.application.protocolName == nil
                    && (state.lineBuffer.first ?? input.first) == UInt8(ascii: "<"))
            let newline =
                isXML
                ? input.firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: ">") }
                : input.firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { isXML && input[$0] == UInt8(ascii: ">") ? $0 + 1 : $0 } ?? input.endIndex
            let room = max(0, limits.maximumLineLength - state.lineBuffer.count)
            state.lineBuffer.append(contentsOf: input[..<end].prefix(room))
            input = newline.map { input[($0 + 1)...] } ?? input[input.endIndex...]
            guard newline != nil else {
                state.lineBuffer.withUnsafeBytes {
                    LineProtocolObserver.observePartial($0, from: direction, facts: &facts.application)
                }
                break
            }
            var line: [UInt8] = []
            swap(&line, &state.lineBuffer)
            line.withUnsafeBytes {
                LineProtocolObserver.observe(
                    line: $0, from: direction, serverPort: serverPort, facts: &facts.application)
            }
            line.removeAll(keepingCapacity: true)
            swap(&line, &state.lineBuffer)
            state.lines.incrementSaturating()
            if facts.application.encryptedProtocol != nil { return finish(&state, violation: nil) }
        }
        return keepWatchingPlaintext(&state, progress: Int(state.lines))
    }

    /// Plaintext is watched while an upgrade may still come, and otherwise for a bounded number of
    /// lines or messages: enough to name the protocol and see a login.
    func keepWatchingPlaintext(_ state: inout StreamState, progress: Int) -> Bool {
        if facts.application.upgradePending { return true }
        if progress >= limits.maximumLines || state.consumedBytes >= limits.maximumPlaintextBytes {
            return finish(&state, violation: nil)
        }
        if facts.application.protocolName == nil && progress >= 4 { return finish(&state, violation: nil) }
        return true
    }

    func consumeBinary(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        guard let application = facts.application.protocolName else { return finish(&state, violation: nil) }
        let maximumMessage = limits.maximumLineLength * 8
        var units = UnitAccumulator()
        swap(&units, &state.units)
        let outcome = units.feed(bytes) { start in
            // TLS after the upgrade starts at a message boundary.
            if upgradeStarts(start[...]) { return .foreign }
            switch messageSize(start, application, direction, state) {
            case .failure(let error):
                return .refused(Violation(.clearTextMessage, "\(application): \(error.description)"))
            case .success(nil): return .needMoreBytes
            case .success(let size?):
                // A large message (query results, bulk data) says nothing more about posture.
                guard size <= maximumMessage else { return .refused(nil) }
                guard size > 0 else { return .refused(Violation(.clearTextMessage, "\(application): empty message")) }
                return .bytes(size)
            }
        } process: { message in
            if let error = observeMessage(message, application, direction, &state) {
                _ = finish(&state, violation: Violation(.clearTextMessage, "\(application): \(error.description)"))
                return .stop
            }
            if state.mode == .finished { return .stop }
            // DNS over TCP and MQTT say all they will in their first message.
            if state.messages > 0, application == .dns || (application == .mqtt && direction == .client) {
                _ = finish(&state, violation: nil)
                return .stop
            }
            return .next
        }
        if state.mode != .finished { swap(&units, &state.units) }
        switch outcome {
        case .needMoreBytes: return keepWatchingPlaintext(&state, progress: Int(state.messages))
        case .stopped: return false
        case .refused(let violation): return finish(&state, violation: violation)
        case .handOff(let rest): return switchToTLS(rest[...], state: &state, direction: direction)
        case .handOffCopy(let rest):
            return rest.withUnsafeBytes { switchToTLS($0[...], state: &state, direction: direction) }
        }
    }

    func messageSize(
        _ bytes: UnsafeRawBufferPointer, _ application: ApplicationProtocol, _ direction: Direction,
        _ state: StreamState
    ) -> Result<Int?, ParseError> {
        do throws(ParseError) {
            return .success(
                try BinaryProtocolObserver.messageSize(
                    bytes, protocol: application, from: direction, facts: facts.application,
                    startupSent: state.postgresStartupSent))
        } catch {
            return .failure(error)
        }
    }

    func observeMessage(
        _ message: UnsafeRawBufferPointer, _ application: ApplicationProtocol, _ direction: Direction,
        _ state: inout StreamState
    ) -> ParseError? {
        do throws(ParseError) {
            if try BinaryProtocolObserver.observe(
                message, protocol: application, from: direction, startupSent: state.postgresStartupSent,
                facts: &facts.application)
            {
                state.postgresStartupSent = true
            }
        } catch {
            return error
        }
        state.messages.incrementSaturating()
        return nil
    }

    func consumeTelnet(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction)
        -> Bool
    {
        TelnetObserver.observe(bytes, from: direction, facts: &facts.application)
        if facts.application.cleartextCredentials || state.consumedBytes >= limits.maximumPlaintextBytes {
            return finish(&state, violation: nil)
        }
        return true
    }
}
