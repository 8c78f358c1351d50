import Foundation
import TLSTopCore
import Testing

@testable import TLSTopCapture

/// Process attribution against this test process's own sockets: a real listener, connection and
/// accepted socket on loopback, found through /proc the way a live capture finds them.
@Suite struct ProcessAttributorTests {
    /// A connected pair on 127.0.0.1: (listener, client, accepted, server port, client port).
    static func connectedPair() throws -> (Int32, Int32, Int32, UInt16, UInt16) {
        func address(port: UInt16) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            return address
        }
        func port(of socket: Int32) -> UInt16 {
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
            }
            return UInt16(bigEndian: bound.sin_port)
        }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var any = address(port: 0)
        let bound = withUnsafePointer(to: &any) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)
        let serverPort = port(of: listener)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var target = address(port: serverPort)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        let accepted = accept(listener, nil, nil)
        try #require(accepted >= 0)
        return (listener, client, accepted, serverPort, port(of: client))
    }

    /// Waits for the answers to `ids` (they may come in one batch).
    static func answers(_ attributor: ProcessAttributor, ids: Set<Int>) -> [Int: ProcessLookupAnswer] {
        var answers: [ProcessLookupAnswer] = []
        for _ in 0..<500 {
            attributor.takeAnswers(into: &answers)
            if ids.isSubset(of: answers.map(\.id)) { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return Dictionary(answers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func bothEndsOfALoopbackConnectionAreThisProcess() throws {
        let (listener, client, accepted, serverPort, clientPort) = try Self.connectedPair()
        defer { for fd in [listener, client, accepted] { close(fd) } }
        let attributor = ProcessAttributor()
        defer { attributor.stop() }
        let loopback = IPAddress(ipv4: 0x7F00_0001)
        let server = Connection.Endpoint(address: loopback, port: serverPort)
        let clientEnd = Connection.Endpoint(address: loopback, port: clientPort)
        attributor.lookUp(ProcessLookupRequest(id: 1, isTCP: true, local: server, remote: clientEnd))
        attributor.lookUp(ProcessLookupRequest(id: 2, isTCP: true, local: clientEnd, remote: server))
        let comm = try String(contentsOfFile: "/proc/self/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
        let answers = Self.answers(attributor, ids: [1, 2])
        for id in [1, 2] {
            let answer = try #require(answers[id], "answer \(id)")
            #expect(answer.process?.state == .found)
            #expect(answer.process?.pid == Int(getpid()))
            #expect(answer.process?.name == comm)
            #expect(answer.process?.user == String(cString: getpwuid(geteuid()).pointee.pw_name))
        }
        #expect(attributor.statistics.found == 2)
    }

    @Test func aSocketThatDoesNotExistIsAnsweredNilAfterTheRetries() throws {
        let attributor = ProcessAttributor()
        defer { attributor.stop() }
        let nowhere = Connection.Endpoint(address: IPAddress(ipv4: 0x7F00_0001), port: 1)
        attributor.lookUp(ProcessLookupRequest(id: 7, isTCP: true, local: nowhere, remote: nowhere))
        let answer = try #require(Self.answers(attributor, ids: [7])[7])
        #expect(answer.process == nil)
    }

    /// Without netlink (another /proc tree here), the socket tables are read whole: a fake tree with
    /// one nginx worker in a systemd unit and one curl in a login session.
    @Test func theTablesAndDescriptorsOfAProcTreeGiveProgramUserAndUnit() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-fakeproc-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        let files = FileManager.default
        try files.createDirectory(at: root.appendingPathComponent("net"), withIntermediateDirectories: true)
        let header =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        try Data(
            (header
                + "   0: 0A00000A:01BB 0700000A:C350 01 00000000:00000000 00:00000000 00000000    33        0 5001 1\n"
                + "   1: 0A00000A:D431 0800000A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 5002 1\n")
                .utf8
        ).write(to: root.appendingPathComponent("net/tcp"))
        try Data(header.utf8).write(to: root.appendingPathComponent("net/tcp6"))
        for (pid, comm, cgroup, inode) in [
            (812, "nginx", "0::/system.slice/nginx.service\n", 5001),
            (4242, "curl", "0::/user.slice/user-1000.slice/session-3.scope\n", 5002),
        ] {
            let folder = root.appendingPathComponent("\(pid)")
            try files.createDirectory(at: folder.appendingPathComponent("fd"), withIntermediateDirectories: true)
            try Data("\(comm)\n".utf8).write(to: folder.appendingPathComponent("comm"))
            try Data(cgroup.utf8).write(to: folder.appendingPathComponent("cgroup"))
            try files.createSymbolicLink(
                atPath: folder.appendingPathComponent("fd/3").path, withDestinationPath: "socket:[\(inode)]")
            try files.createSymbolicLink(
                atPath: folder.appendingPathComponent("fd/0").path, withDestinationPath: "/dev/null")
        }
        let attributor = ProcessAttributor(procRoot: root.path)
        defer { attributor.stop() }
        func endpoint(_ text: String, _ port: UInt16) -> Connection.Endpoint {
            Connection.Endpoint(address: IPAddress(text) ?? IPAddress(ipv4: 0), port: port)
        }
        attributor.lookUp(
            ProcessLookupRequest(
                id: 1, isTCP: true, local: endpoint("10.0.0.10", 443), remote: endpoint("10.0.0.7", 50000)))
        attributor.lookUp(
            ProcessLookupRequest(
                id: 2, isTCP: true, local: endpoint("10.0.0.10", 54321), remote: endpoint("10.0.0.8", 443)))
        let answers = Self.answers(attributor, ids: [1, 2])
        #expect(
            answers[1]?.process
                == LocalProcess(pid: 812, name: "nginx", user: "www-data", unit: "nginx.service", state: .found)
                || answers[1]?.process?.user == "33", "uid 33 is www-data on Debian")
        #expect(answers[1]?.process?.unit == "nginx.service" && answers[1]?.process?.pid == 812)
        #expect(answers[2]?.process?.name == "curl" && answers[2]?.process?.unit == "session-3.scope")
    }
}
