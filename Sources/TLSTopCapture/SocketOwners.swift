import Foundation
import TLSTopCore

/// Which process holds which socket, read from `/proc`: the socket tables give a connection's
/// inode, `/proc/PID/fd` links (`socket:[INODE]`) give the process, `/proc/PID/comm` and
/// `/proc/PID/cgroup` its name and unit. Only the attribution thread uses it.
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

    init(procRoot: String) {
        self.procRoot = procRoot
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
        var link = [CChar](repeating: 0, count: 64)
        while let entry = readdir(proc) {
            let name = Self.name(of: entry)
            guard let pid = Int(name), pid > 0 else { continue }
            let folder = "\(procRoot)/\(name)/fd"
            guard let fds = opendir(folder) else { continue }  // gone, or not ours to read
            while let fd = readdir(fds) {
                let fdName = Self.name(of: fd)
                guard fdName.first?.isNumber == true else { continue }
                let length = readlink("\(folder)/\(fdName)", &link, link.count - 1)
                guard length > 9 else { continue }
                link[length] = 0
                let target = String(cString: link)
                guard target.hasPrefix("socket:["), target.hasSuffix("]"),
                    let inode = UInt64(target.dropFirst(8).dropLast())
                else { continue }
                pidOfInode[inode] = pid
                missing.remove(inode)
            }
            closedir(fds)
            if !wanted.isEmpty && missing.isEmpty { return }
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
