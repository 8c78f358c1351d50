import FuzzSupport
import TLSTopCore

/// The whole batch pipeline: frames → decoder → flows → reassembly → handshakes → snapshot → exports.
///
/// Input: one byte choosing the link type, then records (see `FuzzRecords`), each a captured frame
/// whose control byte advances the capture clock by that many tenths of a second, so idle
/// timeouts, sweeps and evictions run too. Seeds are the fixture captures' frames, both directions.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard let selector = input.first else { return 0 }
    let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .linuxSLL2, .null, .loop, .ppp, .ipv4, .ipv6]
    let linkType = linkTypes[Int(selector) % linkTypes.count]

    // Small tables so that a short input reaches the eviction and folding paths.
    var configuration = TrafficAnalysis.Configuration()
    configuration.tracker.maximumConnections = 8
    configuration.aggregation.maximumRetainedConnections = 4
    configuration.tracker.certificateCacheSize = 2
    let tracker = TrafficAnalysis(configuration: configuration)
    // The event stream's path too: reports at classification, eviction, expiry and the end.
    let checkEvents = count % 8 == 0
    var reported = 0
    tracker.onReport = { connection in
        reported += 1
        if checkEvents {
            SnapshotCheck.verify(eventLines: ConnectionEvent.lines(for: connection, context: eventContext))
        }
    }
    var clock = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
    for record in FuzzRecords(UnsafeRawBufferPointer(rebasing: input.dropFirst())) {
        clock = Timestamp(nanoseconds: clock.nanoseconds + Int64(record.control) * 100_000_000)
        tracker.ingest(frame: record.bytes, linkType: linkType, wireLength: record.bytes.count, timestamp: clock)
    }
    tracker.finish()
    if reported > tracker.statistics.connections { fatalError("a connection was reported twice") }
    let snapshot = tracker.snapshot(source: Snapshot.Source(kind: "file", name: "fuzz"), generatedAt: clock)
    // Writing and re-parsing both exports costs more than the pipeline itself; doing it for one
    // input in eight (chosen by the input, so a failure reproduces) keeps the target fast.
    if checkEvents { SnapshotCheck.verify(snapshot) }
    return 0
}

private let eventContext = ConnectionEvent.Context(policy: "intermediate", observerHostName: "fuzz", version: "fuzz")
