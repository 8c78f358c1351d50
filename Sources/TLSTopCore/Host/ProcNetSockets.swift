/// The kernel's socket tables as `/proc/net/tcp`, `tcp6`, `udp` and `udp6` print them: which local
/// and remote endpoint each socket has, its owner's uid, and its inode (the key to find the
/// process through `/proc/PID/fd`).
public enum ProcNetSockets {
    public struct Entry: Sendable, Equatable {
        public var local: Connection.Endpoint
        public var remote: Connection.Endpoint
        /// TCP state (1 established, 10 listen, …); UDP sockets print 7 or 1.
        public var state: UInt8
        public var uid: UInt32
        /// 0 for a socket not yet accepted (still in the listener's queue).
        public var inode: UInt64
    }

    /// Parses one table. Lines that do not have the expected shape are skipped: the format is the
    /// kernel's, but a reader must not trust any text to trap on.
    ///
    /// Addresses are printed as the in-memory words of the network-order address, so on the
    /// little-endian machines tlstop runs on (x86-64, arm64) each 32-bit word's bytes are reversed.
    public static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10, let local = endpoint(fields[1]), let remote = endpoint(fields[2]),
                let state = UInt8(fields[3], radix: 16), let uid = UInt32(fields[7]), let inode = UInt64(fields[9])
            else { continue }
            entries.append(Entry(local: local, remote: remote, state: state, uid: uid, inode: inode))
        }
        return entries
    }

    /// `0100007F:1F90` (IPv4) or 32 hex digits and a port (IPv6).
    static func endpoint(_ text: Substring) -> Connection.Endpoint? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        switch hex.count {
        case 8:
            guard let word = UInt32(hex, radix: 16) else { return nil }
            return Connection.Endpoint(address: IPAddress(ipv4: word.byteSwapped), port: port)
        case 32:
            var words: [UInt32] = []
            var index = hex.startIndex
            for _ in 0..<4 {
                let next = hex.index(index, offsetBy: 8)
                guard let word = UInt32(hex[index..<next], radix: 16) else { return nil }
                words.append(word.byteSwapped)
                index = next
            }
            let high = UInt64(words[0]) << 32 | UInt64(words[1])
            let low = UInt64(words[2]) << 32 | UInt64(words[3])
            return Connection.Endpoint(address: IPAddress(high: high, low: low), port: port)
        default:
            return nil
        }
    }
}
