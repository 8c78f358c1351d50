import Foundation
import Testing

/// Live capture end to end: real openssl and curl connections on loopback, captured by the real
/// binary. Capturing needs root (CI runs as root); elsewhere these tests are skipped.
@Suite(.serialized, .enabled(if: geteuid() == 0, "live capture needs root"))
struct LiveCaptureTests {
    static let certificates = CommandLineTests.repository.appendingPathComponent("Tests/Fixtures/certs")

    /// Starts a process; the caller waits for it.
    static func launch(_ path: String, _ arguments: [String], output: URL? = nil) throws -> Subprocess {
        try Subprocess.spawn(path, arguments, output: output, error: output)
    }

    static func tool(_ name: String) -> String {
        for folder in ["/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"]
        where FileManager.default.isExecutableFile(
            atPath: "\(folder)/\(name)")
        {
            return "\(folder)/\(name)"
        }
        return name
    }

    /// An openssl s_server on `port` that accepts `count` connections.
    static func server(port: Int, count: Int, _ extra: [String] = []) throws -> Subprocess {
        try launch(
            tool("openssl"),
            [
                "s_server", "-accept", "\(port)", "-cert", certificates.appendingPathComponent("server-rsa.pem").path,
                "-key", certificates.appendingPathComponent("server-rsa.key").path, "-www", "-naccept", "\(count)",
                "-quiet",
            ] + extra)
    }

    static func client(port: Int, _ extra: [String]) throws {
        _ = try Subprocess.run(
            tool("openssl"), ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "tlstop.test"] + extra,
            input: "GET / HTTP/1.0\r\n\r\n", seconds: 30)
    }

    static func waitForPort(_ port: Int) {
        for _ in 0..<50 {
            let probe = try? Subprocess.run("/bin/sh", ["-c", "ss -ltn | grep -q ':\(port) '"], seconds: 10)
            if probe?.status == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    @Test func liveBatchCaptureReportsRealConnections() throws {
        let base = 44_700 + Int(getpid() % 50) * 2
        let export = CommandLineTests.temporary("live.json")
        let log = CommandLineTests.temporary("live.log")
        defer {
            try? FileManager.default.removeItem(at: export)
            try? FileManager.default.removeItem(at: log)
        }
        let capture = try Self.launch(
            CommandLineTests.binary.path,
            [
                "-i", "lo", "-f", "tcp port \(base) or tcp port \(base + 1)", "--batch", "--duration", "60", "--export",
                export.path,
            ],
            output: log)
        Thread.sleep(forTimeInterval: 1.5)  // let libpcap attach before the first SYN

        let openssl = try Self.server(port: base, count: 2)
        Self.waitForPort(base)
        try Self.client(port: base, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"])
        try Self.client(port: base, ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"])
        openssl.wait(seconds: 30)

        let curlServer = try Self.server(port: base + 1, count: 1)
        Self.waitForPort(base + 1)
        let curl = try Self.launch(
            Self.tool("curl"),
            [
                "--silent", "--insecure", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384",
                "--resolve", "tlstop.test:\(base + 1):127.0.0.1", "https://tlstop.test:\(base + 1)/",
            ])
        curl.wait(seconds: 30)
        curlServer.wait(seconds: 30)

        Thread.sleep(forTimeInterval: 1.5)  // the last packets reach libpcap
        capture.signal(SIGINT)  // stop, summarize, export
        let status = capture.wait(seconds: 30)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(output)")
        #expect(output.contains("capture: kernel received"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any])
        #expect((json["source"] as? [String: Any])?["kind"] as? String == "interface")
        let connections = try #require(json["connections"] as? [[String: Any]])
        let seen = Set(
            connections.compactMap { connection -> String? in
                guard let version = connection["version"] as? String, let cipher = connection["cipher"] as? String
                else {
                    return nil
                }
                return "\(version) \(cipher) \(connection["sni"] as? String ?? "-")"
            })
        #expect(seen.contains("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 tlstop.test"), "\(seen)")
        #expect(seen.contains("TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 tlstop.test"), "\(seen)")
        #expect(seen.contains("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 tlstop.test"), "\(seen)")
        let stats = try #require(json["stats"] as? [String: Any])
        #expect(stats["kernel_dropped"] as? Int == 0)
        // Root was dropped once the capture was open: the export belongs to nobody.
        let owner = try FileManager.default.attributesOfItem(atPath: export.path)[.ownerAccountName] as? String
        #expect(owner == "nobody")
    }

    @Test func withoutPermissionTheErrorSuggestsRootOrCapabilities() throws {
        let copy = URL(fileURLWithPath: "/tmp/tlstop-unprivileged-\(getpid())")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: CommandLineTests.binary, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
        let result = try CommandLineTests.run(
            [
                "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy.path, "-i", "lo", "--batch", "--duration",
                "1",
            ],
            executable: Self.tool("setpriv"))
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("tlstop: no permission to capture on 'lo'"))
        #expect(result.error.contains("setcap cap_net_raw,cap_net_admin+eip"))
    }

    @Test func anInterfaceThatGoesAwayEndsTheCaptureAfterExporting() throws {
        let name = "tlstopv\(getpid() % 1000)"
        let ip = Self.tool("ip")
        _ = try CommandLineTests.run(["link", "add", name, "type", "veth", "peer", "name", name + "p"], executable: ip)
        _ = try CommandLineTests.run(["link", "set", name, "up"], executable: ip)
        defer { _ = try? CommandLineTests.run(["link", "del", name], executable: ip) }
        let export = CommandLineTests.temporary("gone.json")
        let log = CommandLineTests.temporary("gone.log")
        defer {
            try? FileManager.default.removeItem(at: export)
            try? FileManager.default.removeItem(at: log)
        }
        let capture = try Self.launch(
            CommandLineTests.binary.path, ["-i", name, "--batch", "--export", export.path], output: log)
        Thread.sleep(forTimeInterval: 1.0)
        _ = try CommandLineTests.run(["link", "del", name], executable: ip)
        let status = capture.wait(seconds: 30)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(status == 1)
        #expect(output.contains("tlstop: interface '\(name)' went away"))
        #expect(FileManager.default.fileExists(atPath: export.path))
    }

    @Test(arguments: [
        (["-i", "nosuchif0", "--batch", "--duration", "1"], "tlstop: no such interface 'nosuchif0'; available: "),
        (["-i", "lo", "-f", "port port", "--batch", "--duration", "1"], "tlstop: invalid capture filter 'port port'"),
        (
            ["-i", "lo", "-Z", "nosuchuser", "--batch", "--duration", "1"],
            "tlstop: cannot drop privileges: no user 'nosuchuser'"
        ),
        (
            ["-i", "lo", "--batch", "--duration", "1", "--export", "/root/x.json"],
            "tlstop: cannot write --export '/root/x.json' as 'nobody'"
        ),
    ])
    func liveErrorsAreOneLineWithANonZeroExit(arguments: [String], message: String) throws {
        let result = try CommandLineTests.run(arguments)
        #expect(result.status == 1)
        #expect(result.error.hasPrefix(message), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
    }
}
