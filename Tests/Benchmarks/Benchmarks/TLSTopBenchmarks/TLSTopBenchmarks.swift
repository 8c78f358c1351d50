import Benchmark
import TLSTopCore
import TLSTopUI

/// The hot pieces of tlstop, each on real bytes from the committed loopback captures. Throughput
/// is per operation (a packet, a hello, a snapshot, a redraw); the malloc count shows which ones
/// allocate (the per-packet path of a classified flow must not).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .nanoseconds,
        warmupIterations: 10, maxDuration: .seconds(2), maxIterations: 1_000_000)

    let tls13 = FixtureFrames("tls13-x25519.pcap")

    // One captured frame (a TLS record in Ethernet/IPv4/TCP) into a DecodedPacket.
    Benchmark("decode: Ethernet/IPv4/TCP frame") { benchmark in
        let frame = tls13.frames[3]
        frame.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(try? PacketDecoder.decode(bytes, linkType: .ethernet))
            }
        }
    }

    // The per-packet path of a connection whose handshake is classified: decode, flow lookup,
    // counters. Bulk data of an established connection costs this and nothing more.
    Benchmark(
        "flow lookup: packet of a classified connection", configuration: .init(scalingFactor: .kilo),
        closure: { (benchmark, replay: Replay) in
            // The last data-carrying frame before the close: application data on the open flow.
            let bulk = replay.frames[replay.frames.count - 4]
            bulk.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations { replay.ingest(bytes) }
            }
        },
        setup: {
            let replay = Replay(tls13)
            for frame in replay.frames { frame.withUnsafeBytes { replay.ingest($0) } }
            return replay
        })

    // Sixteen 1000-byte segments delivered in reverse order: held, then released at once.
    Benchmark("reassembly: 16 segments out of order") { benchmark in
        let segment = [UInt8](repeating: 0x17, count: 1000)
        segment.withUnsafeBytes { payload in
            for _ in benchmark.scaledIterations {
                var stream = TCPReassembler()
                _ = stream.acceptSYN(sequence: 0)
                var delivered = 0
                for index in (0..<16).reversed() {
                    stream.accept(sequence: 1 + UInt32(index) * 1000, payload: payload, declaredLength: 1000) {
                        delivered += $0.count
                        return true
                    }
                }
                blackHole(delivered)
            }
        }
    }

    // The TLS 1.3 ClientHello of openssl s_client: suites, groups, key shares, SNI, extensions.
    Benchmark("parse: ClientHello (openssl, TLS 1.3)") { benchmark in
        let message = tls13.handshakeMessage(type: 1)
        message.withUnsafeBytes { bytes in
            let body = UnsafeRawBufferPointer(rebasing: bytes.dropFirst(4))
            for _ in benchmark.scaledIterations {
                var reader = ByteReader(body)
                blackHole(try? ClientHello(parsing: &reader))
            }
        }
    }

    // A whole TLS 1.3 connection (18 packets: TCP handshake, hellos, certificate, data, close),
    // each iteration from a new client port, so each is a new flow through the whole pipeline.
    Benchmark(
        "handshake: one TLS 1.3 connection, 18 packets",
        closure: { (benchmark, replay: Replay) in
            for _ in benchmark.scaledIterations {
                replay.nextClientPort()
                for frame in replay.frames { frame.withUnsafeBytes { replay.ingest($0) } }
            }
        }, setup: { Replay(tls13) })

    // Judging and describing 10,000 finished TLS connections: what a batch run does at its end
    // and the dashboard on its first redraw.
    Benchmark(
        "snapshot: build from 10k connections", configuration: .init(maxIterations: 100),
        closure: { benchmark, tracker in
            for _ in benchmark.scaledIterations {
                blackHole(
                    tracker.snapshot(source: .init(kind: "file", name: "bench"), generatedAt: .zero, isFinal: true))
            }
        }, setup: { Benchmark.tracker(connections: 10_000, from: tls13) })

    // One dashboard redraw at 200x60 over 100,000 host rows, as for a key press or a cursor move:
    // the rows were filtered and sorted for this snapshot already, so only visible rows are drawn.
    Benchmark(
        "render: dashboard 200x60, 100k hosts", configuration: .init(maxIterations: 5000),
        closure: { (benchmark, prepared: (Snapshot, DashboardRenderer)) in
            let (snapshot, renderer) = prepared
            var state = DashboardState()
            for iteration in benchmark.scaledIterations {
                state.hostCursor = iteration % 50
                blackHole(renderer.render(snapshot, state: state, width: 200, height: 60))
            }
        },
        setup: {
            let snapshot = Benchmark.snapshot(hosts: 100_000, from: tls13)
            let renderer = DashboardRenderer()
            _ = renderer.render(snapshot, state: DashboardState(), width: 200, height: 60)
            return (snapshot, renderer)
        })

    // The first redraw of a new snapshot (once a second in the dashboard): filter and sort the
    // 100,000 host rows, count the header's figures, then draw.
    Benchmark(
        "render: first redraw of a new snapshot, 100k hosts", configuration: .init(maxIterations: 100),
        closure: { benchmark, snapshot in
            for _ in benchmark.scaledIterations {
                blackHole(DashboardRenderer().render(snapshot, state: DashboardState(), width: 200, height: 60))
            }
        }, setup: { Benchmark.snapshot(hosts: 100_000, from: tls13) })
}

extension Benchmark {
    /// A tracker holding `connections` copies of the fixture's connection, each from its own port.
    static func tracker(connections: Int, from fixture: FixtureFrames) -> TrafficAnalysis {
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.maximumRetainedConnections = connections
        let tracker = TrafficAnalysis(configuration: configuration)
        var frames = fixture.frames
        let offsets = fixture.clientPortOffsets
        var nanoseconds: Int64 = 1_700_000_000_000_000_000
        for index in 0..<connections {
            FixtureFrames.withClientPort(&frames, offsets: offsets, port: UInt16(1024 + index % 60_000))
            for frame in frames {
                nanoseconds += 100
                frame.withUnsafeBytes {
                    tracker.ingest(
                        frame: $0, linkType: .ethernet, wireLength: frame.count,
                        timestamp: .init(nanoseconds: nanoseconds))
                }
            }
        }
        return tracker
    }

    /// A snapshot whose host table has `hosts` rows: the fixture's connection, judged for real,
    /// then named after as many distinct servers.
    static func snapshot(hosts: Int, from fixture: FixtureFrames) -> Snapshot {
        var snapshot = tracker(connections: 1, from: fixture).snapshot(
            source: .init(kind: "file", name: "bench"), generatedAt: .zero)
        guard let template = snapshot.connections.first else { fatalError("the fixture has no connection") }
        var table = HostTable(capacity: hosts * 2)
        var connections: [ConnectionRecord] = []
        for index in 0..<hosts {
            var connection = template
            connection.id = index + 1
            connection.sni = "host\(index).bench.test"
            connection.server.address.description = "10.\(index >> 16 & 0xFF).\(index >> 8 & 0xFF).\(index & 0xFF)"
            table.add(connection)
            if index % 10 == 0 { connections.append(connection) }
        }
        snapshot.hosts = table.snapshots()
        snapshot.connections = connections
        return snapshot
    }
}

/// A tracker fed with a fixture's frames, on a clock that advances a microsecond per packet; its
/// state outlives each sample of a benchmark, as a capture's does.
final class Replay {
    let tracker = TrafficAnalysis()
    var frames: [[UInt8]]
    private let offsets: [Int]
    private var nanoseconds: Int64 = 1_700_000_000_000_000_000
    private var port: UInt16 = 1024

    init(_ fixture: FixtureFrames) {
        frames = fixture.frames
        offsets = fixture.clientPortOffsets
    }

    func ingest(_ frame: UnsafeRawBufferPointer) {
        nanoseconds += 1000
        tracker.ingest(
            frame: frame, linkType: .ethernet, wireLength: frame.count, timestamp: .init(nanoseconds: nanoseconds))
    }

    /// The same connection again from the next client port: a new flow.
    func nextClientPort() {
        port = port == 65_000 ? 1024 : port + 1
        FixtureFrames.withClientPort(&frames, offsets: offsets, port: port)
    }
}
