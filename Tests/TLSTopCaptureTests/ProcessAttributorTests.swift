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
}
