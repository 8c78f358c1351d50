import Foundation
import Testing

@testable import TLSTopCore

/// The pure parts of process attribution: /proc/net socket tables, cgroup units, direction.
@Suite struct HostAttributionTests {
    // Lines as a Linux 6.x x86-64 kernel prints them (header line first).
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:AFC2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1137000 1 0000000000000000 100 0 0 10 0
           1: 0100007F:D384 0100007F:AFC4 01 00000000:00000000 00:00000000 00000000  1000        0 1137554 1 0000000000000000 20 4 30 10 -1
           2: 0100007F:D385 0100007F:AFC4 06 00000000:00000000 03:0000151C 00000000     0        0 0 3 000000000efa0aa0
        garbage line
        """
    static let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0000000000000000FFFF00000100007F:AFC4 0000000000000000FFFF00000100007F:D384 01 00000000:00000000 00:00000000 00000000    33        0 1137560 1 0000000000000000 20 4 31 10 -1
           1: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 100 0 0 10 0
           2: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
        """

    @Test func ipv4LinesParseWithTheirOwnersAndInodes() throws {
        let entries = ProcNetSockets.parse(Self.tcp)
        #expect(entries.count == 3)
        #expect(entries[0].local == .init(address: IPAddress("127.0.0.1")!, port: 0xAFC2) && entries[0].state == 0x0A)
        #expect(entries[1].remote.port == 44996 && entries[1].uid == 1000 && entries[1].inode == 1_137_554)
        #expect(entries[2].inode == 0, "TIME_WAIT sockets have no inode")
    }

    @Test func ipv6LinesIncludingMappedIPv4() throws {
        let entries = ProcNetSockets.parse(Self.tcp6)
        #expect(entries.count == 3)
        #expect(entries[0].local == .init(address: IPAddress("127.0.0.1")!, port: 0xAFC4), "::ffff:127.0.0.1 is IPv4")
        #expect(entries[0].uid == 33)
        #expect(entries[1].local.address == IPAddress("::1")!)
        #expect(entries[2].local.address == IPAddress("2001:db8::1")!)
    }

    @Test func hostileTextIsSkippedNotTrapped() {
        for text in [
            "", "header only", "h\n0: ZZZZ:1 0:0 1 0 0 0 0 0 0", "h\n0: 0100007F:FFFFF 0100007F:1 01 a b c 0 0 1",
        ] {
            #expect(ProcNetSockets.parse(text).isEmpty)
        }
    }

    @Test(
        arguments: [
            ("0::/system.slice/nginx.service\n", "nginx.service"),
            ("0::/user.slice/user-1000.slice/session-3.scope\n", "session-3.scope"),
            ("0::/system.slice/docker-\(String(repeating: "ab", count: 32)).scope\n", "docker:abababababab"),
            (
                "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-\(String(repeating: "0f", count: 32)).scope\n",
                "container:0f0f0f0f0f0f"
            ),
            ("12:pids:/\n1:name=systemd:/system.slice/ssh.service\n", "ssh.service"),
            ("0::/\n", nil),
            ("", nil),
        ] as [(String, String?)])
    func cgroupUnits(text: String, unit: String?) {
        #expect(CgroupUnit.unit(fromCgroup: text) == unit)
    }

    @Test func directionFromTheHostsAddresses() {
        let local: Set<IPAddress> = [IPAddress("192.0.2.10")!]
        let remote = IPAddress("198.51.100.7")!
        #expect(
            ConnectionDirection.of(client: remote, server: IPAddress("192.0.2.10")!, localAddresses: local) == .inbound)
        #expect(
            ConnectionDirection.of(client: IPAddress("192.0.2.10")!, server: remote, localAddresses: local) == .outbound
        )
        #expect(ConnectionDirection.of(client: remote, server: IPAddress("203.0.113.1")!, localAddresses: local) == nil)
        #expect(
            ConnectionDirection.of(client: IPAddress("127.0.0.1")!, server: IPAddress("127.0.0.1")!, localAddresses: [])
                == .inbound)
    }
}
