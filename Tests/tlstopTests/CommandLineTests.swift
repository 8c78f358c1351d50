import Foundation
import Testing

/// The `tlstop` binary end to end: exit codes, one-line errors, exports.
@Suite struct CommandLineTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures/pcaps")

    /// The binary sits next to the test bundle in the build folder.
    static var binary: URL {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleFolder, bundleFolder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("tlstop")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repository.appendingPathComponent(".build/debug/tlstop")
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs the binary (or `executable`) to its end; a run that takes over two minutes is killed
    /// and recorded as an issue.
    static func run(
        _ arguments: [String], executable: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Result {
        let result = try Subprocess.run(
            executable ?? binary.path, arguments, sourceLocation: sourceLocation)
        return Result(status: result.status, output: result.output, error: result.error)
    }

    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-cli-\(getpid())-\(name)")
    }

    @Test func batchExportWritesJSONAndPrintsASummary() throws {
        let out = Self.temporary("out.json")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Self.run([
            "-r", Self.fixtures.appendingPathComponent("tls13-x25519.pcap").path, "--batch", "--export", out.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("connections: 1"))
        let data = try Data(contentsOf: out)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["schema"] as? String == "tlstop.snapshot/2")
        let connection = try #require((json["connections"] as? [[String: Any]])?.first)
        #expect(connection["version"] as? String == "TLSv1.3")
        #expect(connection["sni"] as? String == "tlstop.test")
    }

    @Test func batchExportWritesCSV() throws {
        let out = Self.temporary("out.csv")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Self.run([
            "-r", Self.fixtures.appendingPathComponent("many-conns.pcap").path, "--batch", "--export", out.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.hasPrefix("client_ip,client_port,server_ip"))
        #expect(text.split(separator: "\r\n").count >= 21)
    }

    @Test func anExportOverAPlantedSymlinkReplacesTheLinkNotItsTarget() throws {
        let victim = Self.temporary("victim.txt")
        let link = Self.temporary("link.json")
        try "precious".write(to: victim, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: victim)
        defer {
            try? FileManager.default.removeItem(at: victim)
            try? FileManager.default.removeItem(at: link)
        }
        // As root (the dangerous case): a link planted in a shared folder must not redirect the write.
        let result = try Self.run([
            "-r", Self.fixtures.appendingPathComponent("tls13-x25519.pcap").path, "--batch", "--export", link.path,
            "--no-drop-privileges",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
    }

    @Test(arguments: [
        (["-r", "/nonexistent.pcap", "--batch"], "tlstop: cannot read capture file '/nonexistent.pcap'"),
        (["-r", #filePath, "--batch"], "tlstop: cannot read capture file"),
        (["-r", "FIXTURE", "-f", "port port", "--batch"], "tlstop: invalid capture filter 'port port'"),
        (["-r", "FIXTURE", "--batch", "--export", "/tmp/x.txt"], "must end in .json or .csv"),
        (
            ["-r", "FIXTURE", "--batch", "--export", "/nonexistent-dir/x.json"],
            "tlstop: cannot write --export '/nonexistent-dir/x.json'"
        ),
        (
            ["-r", "FIXTURE", "--batch", "--limit", "hostz=5"],
            "--limit 'hostz=5': expected NAME=VALUE with NAME one of"
        ),
    ])
    func badInputIsAOneLineErrorAndANonZeroExit(arguments: [String], message: String) throws {
        let fixture = Self.fixtures.appendingPathComponent("tls13-x25519.pcap").path
        let result = try Self.run(arguments.map { $0 == "FIXTURE" ? fixture : $0 })
        #expect(result.status != 0)
        #expect(result.error.contains(message), "\(result.error)")
        let lines = result.error.split(separator: "\n").filter { !$0.hasPrefix("Usage") && !$0.hasPrefix("  See") }
        #expect(lines.count <= 2, "\(result.error)")
    }

    @Test func reachedLimitsAreReportedAndExported() throws {
        let out = Self.temporary("limits.json")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Self.run([
            "-r", Self.fixtures.appendingPathComponent("many-conns.pcap").path, "--batch", "--limit", "connections=4",
            "--export", out.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("limits reached: "), "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let stats = try #require(json["stats"] as? [String: Any])
        #expect((stats["evicted_connections"] as? Int ?? 0) >= 16)
        #expect((json["hosts"] as? [[String: Any]])?.first?["connections"] as? Int == 20, "folded ones still count")
    }

    @Test func policyProfilesChangeTheVerdict() throws {
        let capture = Self.fixtures.appendingPathComponent("tls10-ecdhe.pcap").path
        var severities: [String] = []
        for profile in ["modern", "intermediate", "legacy"] {
            let out = Self.temporary("policy-\(profile).json")
            defer { try? FileManager.default.removeItem(at: out) }
            let result = try Self.run(["-r", capture, "--batch", "--policy", profile, "--export", out.path])
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.contains("policy \(profile):"))
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any]
            #expect(json?["policy"] as? String == profile)
            let connection = (json?["connections"] as? [[String: Any]])?.first
            let tls10 = (connection?["findings"] as? [[String: Any]])?.first { $0["id"] as? String == "tls10" }
            severities.append(tls10?["severity"] as? String ?? "none")
        }
        #expect(severities == ["critical", "warn", "info"])
    }

    @Test func aBadPolicyFileNamesTheLineAndTheKey() throws {
        let file = Self.temporary("policy.toml")
        try "base = \"old\"\n[severity]\nno-psf = \"warn\"\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let capture = Self.fixtures.appendingPathComponent("tls10-ecdhe.pcap").path
        let result = try Self.run(["-r", capture, "--batch", "--policy", file.path])
        #expect(result.status == 1)
        #expect(
            result.error == "tlstop: policy file '\(file.path)' line 3: unknown finding id 'no-psf' in [severity]\n")
        let missing = try Self.run(["-r", capture, "--batch", "--policy", "/nonexistent.toml"])
        #expect(missing.status == 1)
        #expect(missing.error.hasPrefix("tlstop: cannot read policy file '/nonexistent.toml'"))
        // A device or a folder is refused at once, not read forever.
        for path in ["/dev/zero", "/tmp"] {
            let device = try Self.run(["-r", capture, "--batch", "--policy", path])
            #expect(device.status == 1)
            #expect(device.error.hasPrefix("tlstop: cannot read policy file '\(path)'"), "\(device.error)")
        }
        let huge = Self.temporary("huge.toml")
        try Data(repeating: UInt8(ascii: "#"), count: 300 * 1024).write(to: huge)
        defer { try? FileManager.default.removeItem(at: huge) }
        let big = try Self.run(["-r", capture, "--batch", "--policy", huge.path])
        #expect(big.status == 1)
        #expect(big.error.contains("larger than 256 KiB"), "\(big.error)")
    }

    @Test func anUnsupportedLinkTypeIsNamed() throws {
        // A valid pcap header with LINKTYPE_IEEE802_11 (105) and no packets.
        var header: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0]
        header += [105, 0, 0, 0]
        let file = Self.temporary("wifi.pcap")
        try Data(header).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["-r", file.path, "--batch"])
        #expect(result.status == 1)
        #expect(result.error.contains("link type 105"))
        #expect(result.error.contains("supported:"))
    }

    /// Every output (summary, JSON, CSV, errors) of every capture that carries the test password
    /// is free of it, in clear and in the encodings it crossed the wire in.
    @Test func noOutputFormatContainsTheTestPassword() throws {
        let password = "S3cretTestPassw0rd"
        let secrets = [
            password, Data("tlstopuser:\(password)".utf8).base64EncodedString(),
            Data("\u{0}tlstopuser\u{0}\(password)".utf8).base64EncodedString(),
            Data(password.utf8).base64EncodedString(),
        ]
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter {
            $0.hasPrefix("plain-") || $0.hasPrefix("http-plain") || $0.hasPrefix("starttls-")
        }
        #expect(names.count >= 20)
        var checked = 0
        for name in names {
            let wire = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
            guard secrets.contains(where: { wire.range(of: Data($0.utf8)) != nil }) else { continue }
            checked += 1
            for format in ["json", "csv"] {
                let out = Self.temporary("leak.\(format)")
                defer { try? FileManager.default.removeItem(at: out) }
                let result = try Self.run([
                    "-r", Self.fixtures.appendingPathComponent(name).path, "--batch", "--export", out.path,
                ])
                #expect(result.status == 0)
                let written = try String(contentsOf: out, encoding: .utf8)
                for secret in secrets {
                    #expect(!result.output.contains(secret), "\(name) summary")
                    #expect(!result.error.contains(secret), "\(name) stderr")
                    #expect(!written.contains(secret), "\(name) \(format)")
                }
            }
        }
        #expect(checked >= 8)
    }

    /// Writes a copy of a classic little-endian microsecond pcap with its timestamps spread `factor`
    /// times further apart.
    static func stretched(_ name: String, by factor: Double) throws -> URL {
        var data = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
        func u32(_ at: Int) -> UInt32 {
            UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24
        }
        func put(_ value: UInt32, _ at: Int) {
            for index in 0..<4 { data[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
        }
        var offset = 24
        var first: Double?
        while offset + 16 <= data.count {
            let time = Double(u32(offset)) + Double(u32(offset + 4)) / 1e6
            let origin = first ?? time
            first = origin
            let scaled = origin + (time - origin) * factor
            put(UInt32(scaled), offset)
            put(UInt32((scaled - scaled.rounded(.down)) * 1e6), offset + 4)
            offset += 16 + Int(u32(offset + 8))
        }
        let url = temporary("stretched-\(name)")
        try Data(data).write(to: url)
        return url
    }

    @Test func realtimeReplayFollowsTheCaptureTimestamps() throws {
        // many-conns spans about 0.45 s; stretched 4x it lasts about 1.8 s.
        let file = try Self.stretched("many-conns.pcap", by: 4)
        defer { try? FileManager.default.removeItem(at: file) }
        let fast = ContinuousClock.now
        let quick = try Self.run(["-r", file.path, "--batch"])
        let quickTime = ContinuousClock.now - fast
        let paced = ContinuousClock.now
        let replay = try Self.run(["-r", file.path, "--batch", "--realtime"])
        let replayTime = ContinuousClock.now - paced
        #expect(quick.status == 0 && replay.status == 0, "\(replay.error)")
        #expect(replayTime >= .milliseconds(1500))
        #expect(replayTime > quickTime + .milliseconds(1000))
        #expect(replay.output.contains("connections: 20"))
        #expect(quick.output.contains("connections: 20"))
    }

    @Test func versionAndHelp() throws {
        let version = try Self.run(["--version"])
        #expect(version.status == 0)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try Self.run(["--help"])
        #expect(help.output.contains("--export"))
        #expect(help.output.contains("-r, --read"))
    }
}
