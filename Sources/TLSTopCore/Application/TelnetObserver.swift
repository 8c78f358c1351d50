/// Reads Telnet (RFC 854): recognizes its option negotiation, and notices a password typed after
/// the server's password prompt. Only the prompt text is looked at; what the client types is not.
enum TelnetObserver {
    static let interpretAsCommand: UInt8 = 0xFF
    static let subnegotiationBegin: UInt8 = 0xFA
    static let subnegotiationEnd: UInt8 = 0xF0

    /// IAC WILL/WONT/DO/DONT: how both Telnet sides open.
    static func isTelnet(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == interpretAsCommand && (0xFB...0xFE).contains(bytes[1])
    }

    static func observe(_ bytes: UnsafeRawBufferPointer, from direction: Direction, facts: inout ApplicationFacts) {
        var text: [UInt8] = []
        var index = 0
        var inSubnegotiation = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == interpretAsCommand, index + 1 < bytes.count {
                let command = bytes[index + 1]
                if command == interpretAsCommand {
                    index += 2  // an escaped 0xFF data byte
                    continue
                }
                if command == subnegotiationBegin { inSubnegotiation = true }
                if command == subnegotiationEnd { inSubnegotiation = false }
                index += (0xFB...0xFE).contains(command) ? 3 : 2
                continue
            }
            if !inSubnegotiation, byte >= 0x20, byte < 0x7F, text.count < 256, direction == .server {
                text.append(byte)
            }
            if !inSubnegotiation, direction == .client, facts.telnetPasswordPrompt, byte >= 0x20, byte < 0x7F {
                facts.markCredentials("telnet-login")
                facts.telnetPasswordPrompt = false
            }
            index += 1
        }
        guard direction == .server, !text.isEmpty else { return }
        // The prompt may be split across segments: look at the tail of the last one too.
        let window = facts.telnetPromptTail + text
        if String(decoding: window, as: UTF8.self).lowercased().containsBytes("password") {
            facts.telnetPasswordPrompt = true
        }
        facts.telnetPromptTail = Array(window.suffix(8))
    }
}
