/// What a direction carries, decided from its first bytes (content first, ports only as a tie-breaker),
/// and the transitions of a stream: an in-band upgrade or a tunnel handing over to TLS.
extension HandshakeAnalyzer {
    /// Bytes held at most before deciding what a direction carries.
    static let detectionWindow = 64

    /// Decides what a direction carries from its first bytes, holding them while they are too few.
    /// The first segment almost always decides on its own, without a copy.
    func detect(_ bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction) -> Bool {
        if state.lineBuffer.isEmpty {
            let mode = detectMode(bytes, direction: direction, final: bytes.count >= Self.detectionWindow)
            guard mode != .detect else {
                state.lineBuffer.append(contentsOf: bytes)
                return true
            }
            return enter(mode, with: bytes, state: &state, direction: direction)
        }
        var held: [UInt8] = []
        swap(&held, &state.lineBuffer)
        let take = min(Self.detectionWindow - held.count, bytes.count)
        held.append(contentsOf: bytes.prefix(take))
        let mode = held.withUnsafeBytes {
            detectMode($0, direction: direction, final: held.count >= Self.detectionWindow)
        }
        guard mode != .detect else {
            swap(&held, &state.lineBuffer)
            return true
        }
        guard held.withUnsafeBytes({ enter(mode, with: $0, state: &state, direction: direction) }) else { return false }
        guard take < bytes.count else { return true }
        return dispatch(UnsafeRawBufferPointer(rebasing: bytes.dropFirst(take)), state: &state, direction: direction)
    }

    func enter(
        _ mode: StreamState.Mode, with bytes: UnsafeRawBufferPointer, state: inout StreamState, direction: Direction
    ) -> Bool {
        state.mode = mode
        guard mode != .finished else {
            release(&state)
            return false
        }
        return dispatch(bytes, state: &state, direction: direction)
    }

    /// What the first bytes of a direction are: content first, ports only as a tie-breaker.
    /// `.detect` means "too few bytes to tell"; with `final` set it is never returned.
    func detectMode(_ bytes: UnsafeRawBufferPointer, direction: Direction, final: Bool)
        -> StreamState.Mode
    {
        guard let first = bytes.first else { return .detect }
        let undecided: StreamState.Mode = final ? .finished : .detect
        if first == ContentType.handshake.rawValue || first == ContentType.alert.rawValue {
            guard bytes.count >= 2 else { return final ? .tls : .detect }
            if bytes.byte(at: 1) == 3 { return .tls }
        }
        if first & 0x80 != 0 {
            guard bytes.count >= 3 else { return undecided }
            let type = bytes.byte(at: 2)
            if type == SSLv2Hello.clientHelloType || type == SSLv2Hello.serverHelloType { return .sslv2 }
        }
        if first == TelnetObserver.interpretAsCommand {
            guard bytes.count >= 3 else { return undecided }
            if TelnetObserver.isTelnet(bytes) {
                facts.application.protocolName = .telnet
                return .telnet
            }
        }
        switch BinaryProtocolObserver.identify(
            bytes, from: direction, serverPort: serverPort, known: facts.application.protocolName)
        {
        case .recognized(let binary):
            facts.application.protocolName = binary
            return .binary
        case .needMoreBytes:
            if !final { return .detect }
        case .unrecognized:
            break
        }
        if facts.application.protocolName == .telnet { return .telnet }
        if LineProtocolObserver.looksLikeText(bytes) {
            // A printable byte or two could still be a binary length field; a line is text.
            return bytes.count >= 4 || bytes.contains(UInt8(ascii: "\n")) || final ? .lines : .detect
        }
        return bytes.count >= 4 ? .finished : undecided
    }

    /// Whether the in-band upgrade has happened: an upgrade is pending and the next bytes of this
    /// direction, at a message boundary, are a TLS record.
    func upgradeStarts(_ input: Slice<UnsafeRawBufferPointer>) -> Bool {
        guard facts.application.upgradePending, let first = input.first, first == ContentType.handshake.rawValue
        else { return false }
        return input.count < 2 || input[input.startIndex + 1] == 3
    }

    func switchToTLS(
        _ input: Slice<UnsafeRawBufferPointer>, state: inout StreamState, direction: Direction
    ) -> Bool {
        facts.application.upgraded = true
        state.mode = .tls
        state.lineBuffer = []
        return consumeRecords(UnsafeRawBufferPointer(rebasing: input), state: &state, direction: direction)
    }
}
