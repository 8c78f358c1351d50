import ArgumentParser
import Foundation
import TLSTopCapture
import TLSTopCore

@main
struct TLSTopCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "tlstop",
        abstract:
            "Show how well every network connection is encrypted: TLS version, cipher, key exchange, certificate.",
        discussion: """
            Reads a capture file (pcap or pcapng) and reports, per connection and per host, the TLS version,
            cipher suite, key-exchange group, certificate and whether the connection is encrypted at all.

            Examples:
              tlstop -r capture.pcap --batch --export snapshot.json
              tlstop -r capture.pcapng -f 'tcp port 443' --batch --export snapshot.csv
            """,
        version: version)

    @Option(
        name: [.customShort("r"), .customLong("read")],
        help: ArgumentHelp("Read packets from a pcap or pcapng file.", valueName: "file"))
    var readFile: String?

    @Option(
        name: [.customShort("f"), .customLong("filter")],
        help: ArgumentHelp("BPF capture filter, as in tcpdump.", valueName: "expression"))
    var filter: String?

    @Flag(help: "Headless: process, print a summary, write --export, exit.")
    var batch = false

    @Option(help: ArgumentHelp("Write the snapshot to this file (.json or .csv).", valueName: "path"))
    var export: String?

    @Option(
        help: ArgumentHelp(
            "Judge connections by this policy: modern, intermediate or old (Mozilla Server Side TLS), or a policy file (TOML).",
            valueName: "profile|file"))
    var policy = "intermediate"

    func validate() throws {
        if let export {
            let ext = URL(fileURLWithPath: export).pathExtension.lowercased()
            guard ext == "json" || ext == "csv" else {
                throw ValidationError("--export '\(export)': the file name must end in .json or .csv")
            }
        }
        if readFile == nil {
            throw ValidationError(
                "live capture is not available in this version; read a capture file with -r FILE")
        }
    }

    /// The built-in profile named, or the policy file at that path.
    func loadPolicy() -> Policy {
        if let profile = Policy.Profile(rawValue: policy) { return Policy.builtIn(profile) }
        guard let data = FileManager.default.contents(atPath: policy) else {
            fail("cannot read policy file '\(policy)'; use modern, intermediate, old or the path of a TOML policy file")
        }
        do {
            return try PolicyFile.parse(String(decoding: data, as: UTF8.self))
        } catch {
            fail("policy file '\(policy)' \(error.description)")
        }
    }

    func run() throws {
        guard let readFile else { return }
        let policy = loadPolicy()
        let started = ContinuousClock.now
        let tracker = FlowTracker()
        let reader: PcapFileReader
        do {
            reader = try PcapFileReader(path: readFile, filter: filter)
        } catch {
            fail(error.message)
        }
        var readError: CaptureError?
        do {
            try reader.read(into: tracker)
        } catch {
            readError = error
        }
        let elapsed = ContinuousClock.now - started
        let source = Snapshot.Source(kind: "file", name: readFile, linkType: reader.linkTypeName, filter: filter)
        let snapshot = SnapshotBuilder.build(from: tracker, source: source, generatedAt: .now, policy: policy)
        print(BatchSummary(snapshot: snapshot, elapsed: elapsed).text, terminator: "")
        if let export {
            let body = export.lowercased().hasSuffix(".csv") ? snapshot.csv() : snapshot.json()
            do {
                try AtomicFile.write(body, to: export)
                print(
                    "exported \(snapshot.connections.count) connections and \(snapshot.hosts.count) hosts to \(export)")
            } catch {
                fail("cannot write export '\(export)': \(error.localizedDescription)")
            }
        }
        if let readError { fail(readError.message) }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("tlstop: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

extension Timestamp {
    static var now: Timestamp {
        let now = Date().timeIntervalSince1970
        return Timestamp(nanoseconds: Int64(now * 1_000_000_000))
    }
}
