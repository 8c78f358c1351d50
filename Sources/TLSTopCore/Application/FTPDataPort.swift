/// Where an FTP data connection will go, from the control connection's PASV/EPSV replies
/// (RFC 959 §4.1.2, RFC 2428) and PORT/EPRT commands, so the data connection can be named.
enum FTPDataPort {
    /// "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)" or "229 Entering Extended Passive Mode (|||port|)".
    static func parse(reply upper: String) -> (host: IPAddress?, port: UInt16)? {
        guard let open = upper.firstIndex(of: "("), let close = upper.lastIndex(of: ")"), open < close else {
            return nil
        }
        let inside = upper[upper.index(after: open)..<close]
        if upper.hasPrefix("229") {
            let fields = inside.split(separator: "|", omittingEmptySubsequences: true)
            guard let last = fields.last, let port = UInt16(last), port > 0 else { return nil }
            return (nil, port)
        }
        return hostAndPort(inside)
    }

    /// "PORT h1,h2,h3,h4,p1,p2" or "EPRT |1|192.0.2.1|6446|".
    static func parse(command: String, argument: String) -> (host: IPAddress?, port: UInt16)? {
        if command == "EPRT" {
            let fields = argument.split(separator: argument.first ?? "|", omittingEmptySubsequences: true)
            guard fields.count == 3, let address = IPAddress(fields[1]), let port = UInt16(fields[2]) else {
                return nil
            }
            return (address, port)
        }
        return hostAndPort(Substring(argument))
    }

    private static func hostAndPort(_ text: Substring) -> (host: IPAddress?, port: UInt16)? {
        let numbers = text.split(separator: ",").compactMap { UInt8($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 6 else { return nil }
        let address = IPAddress(ipv4: numbers[0..<4].reduce(0) { $0 << 8 | UInt32($1) })
        let port = UInt16(numbers[4]) << 8 | UInt16(numbers[5])
        guard port > 0 else { return nil }
        return (address, port)
    }
}
