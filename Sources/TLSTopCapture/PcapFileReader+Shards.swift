import CLinux
import Foundation
import Synchronization
import TLSTopCore

extension PcapFileReader {
    /// Reads the whole file (or `limit` frames) into several analyses at once, each on a core:
    /// the flows between one pair of addresses always go to the same shard, so every flow, and
    /// an FTP data connection with its control connection, is analyzed whole by one tracker.
    ///
    /// Every shard reads the file itself (this reader for shard 0, a reader of its own for each
    /// other, on a thread of its own), decodes every frame and keeps the packets of its flows.
    /// Reading twice from the page cache costs less than handing packets from one core to another
    /// (a copy of each, and its cache lines crossing over). Only a file that `canBeReadAgain`
    /// can be sharded.
    ///
    /// At the end the shards agree on which finished connections to fold past the retention cap
    /// (the oldest by id over all of them) and list the ids they still hold; from those, each
    /// shard's records get their places in the snapshot's array, and each shard makes its part
    /// of the snapshot on its own thread, records written in place. The parts are merged: the
    /// same ids and counts as one analysis of the file (see `SnapshotParts`).
    ///
    /// - Returns: the merged parts, and the error that ended the read early (a damaged file).
    public func read(
        into analyses: [TrafficAnalysis], limit: Int = 0, isFinal: Bool = true, listsConnections: Bool = true
    ) -> (parts: SnapshotParts, error: CaptureError?) {
        let shards = analyses.enumerated().map { Shard(index: $0.offset, count: analyses.count, analysis: $0.element) }
        for shard in shards.dropFirst() {
            let path = self.path
            let filter = self.filter
            let thread = Thread {
                tlstop_name_thread("tlstop-shard")
                // The file opened once already; a second open fails only if it vanished since.
                do throws(CaptureError) {
                    try PcapFileReader(path: path, filter: filter).read(shard: shard, limit: limit)
                } catch {
                    shard.readError = error
                }
                shard.finishRead()
                shard.foldAndList(listing: listsConnections)
                shard.makeParts(isFinal: isFinal, listsConnections: listsConnections)
            }
            thread.name = "tlstop-shard"
            thread.start()
        }
        var error: CaptureError?
        do throws(CaptureError) {
            try read(shard: shards[0], limit: limit)
        } catch let readError {
            error = readError
        }
        shards[0].finishRead()
        // The oldest finished connections past the cap, over all shards, are folded.
        let held = shards.flatMap { $0.waitForHeld() }
        let threshold = SnapshotParts.foldThreshold(of: held, retentionCap: shards[0].retentionCap)
        for shard in shards { shard.fold(through: threshold) }
        shards[0].foldAndList(listing: listsConnections)
        // Each shard's records are made straight into their places in the snapshot's array.
        let places = SnapshotParts.places(of: shards.map { $0.waitForListed() })
        let total = listsConnections ? places.reduce(0) { $0 + $1.count } : 0
        var parts: [SnapshotParts] = []
        let connections = [ConnectionRecord](unsafeUninitializedCapacity: total) { buffer, initialized in
            for (shard, places) in zip(shards, places) {
                let base = listsConnections ? buffer.baseAddress : nil
                shard.place(base.map { SnapshotParts.Placement(base: $0, places: places) })
            }
            shards[0].makeParts(isFinal: isFinal, listsConnections: listsConnections)
            parts = shards.map { $0.waitForParts() }
            initialized = total
        }
        // A damaged file stops every shard at the same frame: the first one's words are enough.
        error = error ?? shards.lazy.compactMap(\.readError).first
        // Never nil: there is at least one part.
        return (SnapshotParts.merging(parts, listing: connections) ?? shards[0].analysis.parts(), error)
    }

    /// Reads every frame and gives the shard's tracker the packets of its flows (shard 0 also
    /// counts the frames that are not packets).
    fileprivate func read(shard: Shard, limit: Int) throws(CaptureError) {
        let tracker = shard.analysis.tracker
        let chooser = shard.chooser
        var delivered = 0
        // The latest packet time of the read, whichever shard it went to (see `sweep(upTo:)`).
        var lastPacket: Timestamp?
        defer { if let lastPacket { tracker.sweep(upTo: lastPacket) } }
        while limit <= 0 || delivered < limit {
            guard let frame = try nextFrame() else { return }
            guard try passes(frame) else { continue }
            delivered += 1
            let outcome = PacketDecoder.outcome(of: frame.bytes, linkType: frame.linkType)
            if case .packet(let packet) = outcome {
                lastPacket = max(lastPacket ?? frame.timestamp, frame.timestamp)
                guard chooser.shard(of: packet) == shard.index else { continue }
            } else if shard.index != 0 {
                continue
            }
            tracker.ingest(outcome, wireLength: frame.wireLength, timestamp: frame.timestamp, frameNumber: framesRead)
        }
    }
}

/// One shard of a read: its analysis, and the steps its thread and the reading thread take in turn.
private final class Shard: @unchecked Sendable {
    // @unchecked: `analysis` and `held` are touched by the shard's thread until it signals `readDone`,
    // then `threshold` by the reading thread (`fold`, signalling `foldGo`), `listed` by the shard's
    // thread (`listedDone`), `placement` by the reading thread (`placeGo`), then all by the shard's
    // thread until `partsDone`; each semaphore hands them over.
    let index: Int
    let analysis: TrafficAnalysis
    let chooser: ShardChooser
    private var held: [(id: Int, isActive: Bool)] = []
    /// Why this shard's own reader stopped early (set on its thread before `readDone`).
    var readError: CaptureError?
    private var threshold: Int?
    /// The ids held once folded, in order, and where their records go.
    private var listed: [Int] = []
    private var placement: SnapshotParts.Placement?
    private var parts: SnapshotParts?
    private let readDone = DispatchSemaphore(value: 0)
    private let foldGo = DispatchSemaphore(value: 0)
    private let listedDone = DispatchSemaphore(value: 0)
    private let placeGo = DispatchSemaphore(value: 0)
    private let partsDone = DispatchSemaphore(value: 0)

    init(index: Int, count: Int, analysis: TrafficAnalysis) {
        self.index = index
        self.analysis = analysis
        self.chooser = ShardChooser(shards: count)
    }

    var retentionCap: Int { analysis.aggregator.configuration.maximumRetainedConnections }

    /// The read is over: attempts still open are counted; the connections held are listed.
    func finishRead() {
        analysis.finish()
        held = analysis.aggregator.heldConnections
        readDone.signal()
    }

    func waitForHeld() -> [(id: Int, isActive: Bool)] {
        readDone.wait()
        return held
    }

    /// Called by the reading thread once every shard listed what it holds.
    func fold(through threshold: Int?) {
        self.threshold = threshold
        foldGo.signal()
    }

    /// Folds through the agreed threshold and lists the ids still held.
    func foldAndList(listing: Bool) {
        foldGo.wait()
        listed = analysis.aggregator.foldFinished(through: threshold, listing: listing)
        listedDone.signal()
    }

    func waitForListed() -> [Int] {
        listedDone.wait()
        return listed
    }

    /// Called by the reading thread with where this shard's records go (nil: not listed).
    func place(_ placement: SnapshotParts.Placement?) {
        self.placement = placement
        placeGo.signal()
    }

    func makeParts(isFinal: Bool, listsConnections: Bool) {
        placeGo.wait()
        parts = analysis.parts(
            isFinal: isFinal, listsConnections: listsConnections && placement != nil, placement: placement)
        partsDone.signal()
    }

    func waitForParts() -> SnapshotParts {
        partsDone.wait()
        // Set before the signal; handed over, not shared (see `SnapshotParts.merging`).
        defer { parts = nil }
        return parts ?? analysis.parts()
    }
}

/// Which shard a packet's flow belongs to: a hash of its two addresses that does not depend on
/// the direction, spread evenly over the shards.
struct ShardChooser: Sendable {
    let shards: Int

    init(shards: Int) { self.shards = max(1, shards) }

    @inline(__always)
    func shard(of packet: DecodedPacket) -> Int {
        shard(source: packet.source, destination: packet.destination)
    }

    @inline(__always)
    func shard(source: IPAddress, destination: IPAddress) -> Int {
        // The lower address first, so both directions agree; then each address is mixed on its
        // own (an XOR of the two would cancel out when both ends vary alike, 10.0.0.N to 10.1.0.N).
        let (low, high) = source < destination ? (source, destination) : (destination, source)
        var mixed = (low.high ^ low.low) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= (high.high ^ high.low) &* 0xC2B2_AE3D_27D4_EB4F
        mixed ^= mixed >> 31
        mixed &*= 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (mixed >> 32) % UInt64(shards))
    }
}
