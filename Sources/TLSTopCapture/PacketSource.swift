import TLSTopCore

/// Where a capture session gets its packets: a live interface or a capture file.
public protocol PacketSource: AnyObject {
    /// Reads what is available into the tracker, waiting up to `milliseconds` for more.
    /// Returns false once the input has ended (a file's end; never for an interface).
    func pump(into tracker: FlowTracker, waitingUpTo milliseconds: Int32) throws(CaptureError) -> Bool
    /// Kernel counters (live only).
    func kernelStatistics() -> (received: Int, dropped: Int, interfaceDropped: Int)?
    var snapshotSource: Snapshot.Source { get }
    /// How far a file has been read; nil for an interface, which has no end.
    var readProgress: ReadProgress? { get }
}

extension PacketSource {
    public var readProgress: ReadProgress? { nil }
}

extension PcapLiveSource: PacketSource {
    public func pump(into tracker: FlowTracker, waitingUpTo milliseconds: Int32) throws(CaptureError) -> Bool {
        guard wait(milliseconds: milliseconds) else {
            throw CaptureError("interface '\(interface)' went away; capture stopped (what was captured is reported)")
        }
        _ = try drain(into: tracker)
        return true
    }

    public var snapshotSource: Snapshot.Source {
        Snapshot.Source(kind: "interface", name: interface, linkType: linkTypeName, filter: filter)
    }
}
