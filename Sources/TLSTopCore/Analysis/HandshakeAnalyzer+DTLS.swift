/// DTLS record and handshake framing (RFC 6347 §4.1–4.2, RFC 9147 §4): records carry an epoch and a
/// sequence number, handshake messages a message sequence and fragment offset so they survive loss
/// and reordering. Complete messages are handed, in TLS form, to the same handshake analysis.
enum DTLSRecords {
    static let recordHeaderLength = 13
    static let handshakeHeaderLength = 12
    static let maximumMessage = 64 * 1024

    /// A plaintext DTLS record: content type 20–25 and version 1.0 (0xfeff), 1.2 (0xfefd) or the
    /// 1.3 record version (0xfefd as well), with a length that fits the datagram.
    static func looksLikeDTLS(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= recordHeaderLength, let type = bytes.byte(at: 0), (20...25).contains(type),
            bytes.byte(at: 1) == 0xFE, let minor = bytes.byte(at: 2), minor == 0xFF || minor == 0xFD || minor == 0xFC,
            let length = bytes.bigEndian(at: 11, size: 2)
        else { return false }
        return recordHeaderLength + Int(length) <= bytes.count
    }

    /// A handshake message being put back together from fragments.
    struct PartialMessage {
        var type: UInt8
        var body: [UInt8]
        var received: [Range<Int>] = []

        var isComplete: Bool {
            var covered = 0
            for range in received.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.upperBound > covered {
                guard range.lowerBound <= covered else { return false }
                covered = range.upperBound
            }
            return covered >= body.count
        }
    }
}

extension HandshakeAnalyzer {
    func observeDTLS(_ datagram: UnsafeRawBufferPointer, from direction: Direction) -> Bool {
        facts.isDTLS = true
        var reader = ByteReader(datagram)
        while reader.remaining >= DTLSRecords.recordHeaderLength {
            let type: UInt8
            let epoch: UInt16
            var fragment: ByteReader
            do throws(ParseError) {
                type = try reader.readUInt8()
                try reader.skip(2)
                epoch = try reader.readUInt16()
                try reader.skip(6)
                fragment = try reader.slice(Int(try reader.readUInt16()))
            } catch {
                record(Violation(.dtls, "DTLS record: \(error.description)"))
                break
            }
            // Epoch 0 is in clear; later epochs are encrypted (DTLS 1.3 encrypted records also
            // use the unified header, which fails the type check above and ends the loop).
            guard epoch == 0 else {
                finishDTLS(direction)
                break
            }
            switch type {
            case ContentType.handshake.rawValue:
                while fragment.remaining >= DTLSRecords.handshakeHeaderLength {
                    do throws(ParseError) {
                        addDTLSFragment(try Self.readFragment(&fragment), from: direction)
                    } catch {
                        record(Violation(.dtls, "DTLS handshake fragment: \(error.description)"))
                        break
                    }
                }
            case ContentType.changeCipherSpec.rawValue:
                if direction == .client {
                    facts.clientChangeCipherSpec = true
                } else {
                    facts.serverChangeCipherSpec = true
                }
                if !facts.serverHelloDone, facts.serverHello != nil, direction == .server {
                    facts.abbreviatedHandshake = true
                }
                finishDTLS(direction)
            case ContentType.alert.rawValue:
                if fragment.remaining == 2, let level = try? fragment.readUInt8(), let code = try? fragment.readUInt8()
                {
                    facts.record(Alert(sender: direction, level: level, description: AlertDescription(rawValue: code)))
                }
            default:
                break
            }
        }
        return !isFinished(direction)
    }

    private func finishDTLS(_ direction: Direction) {
        switch direction {
        case .client: release(&client)
        case .server: release(&server)
        }
    }

    static func readFragment(_ reader: inout ByteReader) throws(ParseError) -> (
        type: UInt8, length: Int, sequence: UInt16, offset: Int, data: [UInt8]
    ) {
        let type = try reader.readUInt8()
        let length = Int(try reader.readUInt24())
        let sequence = try reader.readUInt16()
        let offset = Int(try reader.readUInt24())
        let fragmentLength = Int(try reader.readUInt24())
        guard length <= DTLSRecords.maximumMessage, offset + fragmentLength <= length else {
            throw ParseError(.malformed, "DTLS fragment outside its message")
        }
        return (type, length, sequence, offset, try reader.readBytes(fragmentLength))
    }

    private func addDTLSFragment(
        _ piece: (type: UInt8, length: Int, sequence: UInt16, offset: Int, data: [UInt8]), from direction: Direction
    ) {
        if piece.type == HandshakeType.helloVerifyRequest.rawValue {
            facts.helloVerifyRequest = true
            return
        }
        let key = DTLSMessageKey(direction: direction, sequence: piece.sequence)
        var message =
            dtlsMessages[key]
            ?? DTLSRecords.PartialMessage(type: piece.type, body: Array(repeating: 0, count: piece.length))
        guard message.body.count == piece.length, message.type == piece.type else { return }
        message.body.replaceSubrange(piece.offset..<(piece.offset + piece.data.count), with: piece.data)
        message.received.append(piece.offset..<(piece.offset + piece.data.count))
        guard message.isComplete else {
            if dtlsMessages.count < 32 { dtlsMessages[key] = message }
            return
        }
        if !dtlsMessages.isEmpty { dtlsMessages[key] = nil }
        // Hand the whole message over in TLS form: type, 24-bit length, body.
        let tls =
            [
                message.type, UInt8(piece.length >> 16 & 0xFF), UInt8(piece.length >> 8 & 0xFF),
                UInt8(piece.length & 0xFF),
            ]
            + message.body
        tls.withUnsafeBytes { bytes in
            switch direction {
            case .client: _ = consumeHandshake(bytes, state: &client, direction: .client)
            case .server: _ = consumeHandshake(bytes, state: &server, direction: .server)
            }
        }
    }
}

struct DTLSMessageKey: Hashable {
    var direction: Direction
    var sequence: UInt16
}
