import CLinux
import Foundation
import TLSTopCore

/// Which process holds which socket: netlink `sock_diag` (or, without it, the `/proc/net` socket
/// tables) gives a connection's inode, `/proc/PID/fd` links (`socket:[INODE]`) give the process,
/// `/proc/PID/comm` and `/proc/PID/cgroup` its name and unit. Only the attribution thread uses it.
final class SocketOwners {
    struct Owner {
        var pid: Int
        var name: String?
        var unit: String?
        var noted: ContinuousClock.Instant
    }

    let procRoot: String
    /// Socket inode → pid, from the last scan of every process's descriptors.
    private var pidOfInode: [UInt64: Int] = [:]
    private var owners: [Int: Owner] = [:]
    private var userNames: [UInt32: String] = [:]
    private(set) var lastScan: ContinuousClock.Instant?
    private(set) var scans = 0
    static let maximumInodes = 1 << 18
    static let maximumOwners = 4096

    /// The processes that owned sockets lately, newest last: a new connection of a busy server or
    /// client is most likely theirs, so their descriptors are read before all others'.
    private var recentPids: [Int] = []
    static let maximumRecentPids = 32
    private let diagnostics: Int32

    struct Socket {
        var uid: UInt32
        var inode: UInt64
        /// TCP state as the kernel numbers it (1 established, 6 TIME_WAIT, 7 closed, …).
        var state: UInt8
    }

    init(procRoot: String) {
        self.procRoot = procRoot
        diagnostics = procRoot == "/proc" ? tlstop_sock_diag_open() : -1
    }

    deinit {
        if diagnostics >= 0 { close(diagnostics) }
    }

    /// Whether exact lookups through netlink are available (otherwise the tables are read whole).
    var hasSocketDiagnostics: Bool { diagnostics >= 0 }

    /// The socket with exactly these ends, asked of the kernel: one netlink round trip, whatever
    /// the number of sockets on the machine. `nil` when there is none (or netlink failed).
    func socket(isTCP: Bool, local: Connection.Endpoint, remote: Connection.Endpoint) -> Socket? {
        guard diagnostics >= 0 else { return nil }
        let proto = Int32(isTCP ? IPPROTO_TCP : IPPROTO_UDP)
        // An IPv4 connection may sit on an IPv6 socket (a dual-stack listener's accepted socket).
        var attempts: [(Int32, [UInt8], [UInt8])] = []
        if let localV4 = local.address.ipv4Value, let remoteV4 = remote.address.ipv4Value {
            attempts.append((AF_INET, Self.bytes(localV4), Self.bytes(remoteV4)))
        }
        attempts.append((AF_INET6, Self.bytes(local.address), Self.bytes(remote.address)))
        for (family, localBytes, remoteBytes) in attempts {
            var uid: UInt32 = 0
            var inode: UInt64 = 0
            var state: UInt8 = 0
            let found = tlstop_sock_diag_lookup(
                diagnostics, family, proto, localBytes, local.port, remoteBytes, remote.port, &uid, &inode, &state)
            if found == 1 { return Socket(uid: uid, inode: inode, state: state) }
        }
        return nil
    }

    private static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func bytes(_ address: IPAddress) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: address.high >> UInt64(56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: address.low >> UInt64(56 - 8 * $0)) }
    }

    /// Reads the descriptors of the recent owners only; returns whether every wanted inode is known.
    func scanRecent(wanted: Set<UInt64>) -> Bool {
        var missing = wanted
        for pid in recentPids.reversed() where !missing.isEmpty {
            scanDescriptors(of: pid, missing: &missing)
        }
        return missing.isEmpty
    }

    private func noteRecent(_ pid: Int) {
        if let index = recentPids.firstIndex(of: pid) { recentPids.remove(at: index) }
        recentPids.append(pid)
        if recentPids.count > Self.maximumRecentPids { recentPids.removeFirst() }
    }

    /// Whether other users' descriptors can be read (root, or CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).
    static func canReadOtherProcesses(procRoot: String = "/proc") -> Bool {
        guard let directory = opendir("\(procRoot)/1/fd") else { return false }
        closedir(directory)
        return true
    }

    /// The socket tables of one kind, IPv4 and IPv6.
    func sockets(tcp: Bool) -> [ProcNetSockets.Entry] {
        let names = tcp ? ["tcp", "tcp6"] : ["udp", "udp6"]
        return names.flatMap { name -> [ProcNetSockets.Entry] in
            guard let text = Self.read("\(procRoot)/net/\(name)", limit: 64 << 20) else { return [] }
            return ProcNetSockets.parse(text)
        }
    }

    func pid(ofInode inode: UInt64) -> Int? { pidOfInode[inode] }

    /// Walks every `/proc/PID/fd`, noting the sockets; stops early once `wanted` are all found.
    func scan(wanted: Set<UInt64>) {
        scans += 1
        lastScan = .now
        if pidOfInode.count > Self.maximumInodes { pidOfInode.removeAll(keepingCapacity: true) }
        var missing = wanted
        guard let proc = opendir(procRoot) else { return }
        defer { closedir(proc) }
        while let entry = readdir(proc) {
            guard let pid = Int(Self.name(of: entry)), pid > 0 else { continue }
            scanDescriptors(of: pid, missing: &missing)
            if !wanted.isEmpty && missing.isEmpty { return }
        }
    }

    /// Notes the sockets among one process's descriptors.
    private func scanDescriptors(of pid: Int, missing: inout Set<UInt64>) {
        let folder = "\(procRoot)/\(pid)/fd"
        guard let fds = opendir(folder) else { return }  // gone, or not ours to read
        defer { closedir(fds) }
        var link = [CChar](repeating: 0, count: 64)
        while let fd = readdir(fds) {
            let fdName = Self.name(of: fd)
            guard fdName.first?.isNumber == true else { continue }
            let length = readlink("\(folder)/\(fdName)", &link, link.count - 1)
            guard length > 9 else { continue }
            let target = String(decoding: link.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard target.hasPrefix("socket:["), target.hasSuffix("]"),
                let inode = UInt64(target.dropFirst(8).dropLast())
            else { continue }
            pidOfInode[inode] = pid
            if missing.remove(inode) != nil { noteRecent(pid) }
        }
    }

    /// The process's name and unit, remembered for a while (a pid is reused only after wrapping).
    func owner(pid: Int) -> Owner? {
        if let known = owners[pid], ContinuousClock.now - known.noted < .seconds(30) { return known }
        guard let comm = Self.read("\(procRoot)/\(pid)/comm", limit: 256) else { return nil }
        let name = comm.trimmingCharacters(in: .newlines)
        let unit = Self.read("\(procRoot)/\(pid)/cgroup", limit: 64 << 10).flatMap(CgroupUnit.unit(fromCgroup:))
        if owners.count >= Self.maximumOwners { owners.removeAll(keepingCapacity: true) }
        let owner = Owner(pid: pid, name: name.isEmpty ? nil : String(name.prefix(64)), unit: unit, noted: .now)
        owners[pid] = owner
        return owner
    }

    func userName(uid: UInt32) -> String {
        if let known = userNames[uid] { return known }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let name =
            getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: entry.pw_name) : String(uid)
        if userNames.count < 4096 { userNames[uid] = name }
        return name
    }

    private static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
    }

    /// A /proc file, at most `limit` bytes (they report size 0, so read until the end).
    static func read(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
