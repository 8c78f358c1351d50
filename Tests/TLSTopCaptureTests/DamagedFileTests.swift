import Foundation
import TLSTopCapture
import TLSTopCore
import TestSupport
import Testing

/// Every fixture, cut short and damaged: the batch pipeline (libpcap → decoder → flows →
/// handshakes → snapshot) must never trap, and whatever it managed to read must still make a
/// valid snapshot. A bad file may end the read with an error, never with a crash or a hang.
@Suite struct DamagedFileTests {
    static let captures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: PcapFileReaderTests.fixtures.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }()

    /// Reads `bytes` as a capture file and checks the snapshot; returns whether the read ended in an
    /// error (a damaged file) rather than at a clean end of file.
    static func readAndSnapshot(_ bytes: Data, name: String) throws -> Bool {
        // One file per call: the parameterized cases run in parallel and must not read each other's.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tlstop-damaged-\(UUID().uuidString).pcap")
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let tracker = TrafficAnalysis()
        var failed = false
        do throws(CaptureError) {
            let reader = try PcapFileReader(path: file.path)
            try reader.read(into: tracker)
        } catch {
            #expect(!error.message.contains("\n"), "one-line error for \(name): \(error.message)")
            failed = true
        }
        let snapshot = tracker.snapshot(
            source: .init(kind: "file", name: name), generatedAt: tracker.lastTimestamp ?? .zero)
        let json = try JSONSerialization.jsonObject(with: Data(snapshot.json().utf8)) as? [String: Any]
        #expect(json?["schema"] as? String == "tlstop.snapshot/2", "\(name)")
        #expect((json?["connections"] as? [Any])?.count == snapshot.connections.count, "\(name)")
        #expect(snapshot.connections.count <= tracker.statistics.packets, "\(name)")
        return failed
    }

    @Test(arguments: captures)
    func everyCutAtA97thByteStillMakesASnapshot(name: String) throws {
        let original = try Data(contentsOf: PcapFileReaderTests.fixtures.appendingPathComponent(name))
        var damaged = 0
        var cuts = 0
        for length in stride(from: 97, to: original.count, by: 97) {
            cuts += 1
            if try Self.readAndSnapshot(original.prefix(length), name: "\(name) cut at \(length)") { damaged += 1 }
        }
        // A cut inside a record is reported; a cut that happens to fall between records is not.
        #expect(cuts == 0 || damaged > 0, "\(name): no cut was reported as damage")
    }

    @Test(arguments: captures)
    func randomByteFlipsStillMakeASnapshot(name: String) throws {
        let original = try Data(contentsOf: PcapFileReaderTests.fixtures.appendingPathComponent(name))
        var random = SplitMix64(seed: 0x7115_7091_97 ^ UInt64(original.count))
        for round in 0..<24 {
            var bytes = original
            // Records, not the file header: a damaged header is one early error, not a pipeline test.
            let flips = 1 + Int(random.next() % 8)
            for _ in 0..<flips where bytes.count > 24 {
                let index = 24 + Int(random.next() % UInt64(bytes.count - 24))
                bytes[index] ^= UInt8(truncatingIfNeeded: 1 + random.next() % 255)
            }
            _ = try Self.readAndSnapshot(bytes, name: "\(name) round \(round)")
        }
    }
}
