/// Puts one direction of a TCP stream back in order, as far as the analysis needs.
///
/// In-order bytes go straight from the packet to the consumer without a copy. Segments that arrive
/// early are copied into a small, capped holding area until the hole before them fills;
/// retransmissions and overlaps are trimmed to the bytes not yet delivered. When the holding area
/// overflows, or the capture lost a segment for good, the direction is marked `hasGap` and the
/// consumer is not called again: parsing across a hole would only produce garbage.
public struct TCPReassembler: Sendable {
    /// Out-of-order data kept at most, per direction, unless the caller sets another cap.
    public static let defaultMaximumPendingBytes = 64 * 1024
    public static let maximumPendingSegments = 64

    /// Sequence number of the next byte to deliver; `nil` until the SYN or the first data is seen.
    public private(set) var nextSequence: UInt32?
    public private(set) var hasGap = false
    /// The consumer wanted no more bytes.
    public private(set) var isFinished = false
    public private(set) var sawSYN = false
    /// The holding area hit its cap (the gap was forced by the cap, not by the capture).
    public private(set) var overflowed = false
    public private(set) var initialSequence: UInt32 = 0
    public private(set) var deliveredBytes = 0

    private var pending: [(sequence: UInt32, bytes: [UInt8])] = []
    private var pendingBytes = 0

    public init() {}

    /// Records a SYN; returns false when it carries a different initial sequence number than a SYN
    /// already seen, i.e. a new connection reusing the 4-tuple.
    public mutating func acceptSYN(sequence: UInt32) -> Bool {
        if sawSYN { return sequence == initialSequence }
        sawSYN = true
        initialSequence = sequence
        nextSequence = sequence &+ 1
        return true
    }

    /// Moves the stream's start to the one the peer acknowledges, when it differs wildly from the
    /// SYN seen last and nothing was delivered yet: a SYN-ACK repeated with a new initial sequence
    /// number (SYN cookies, load balancers, a stack retrying) is answered by the peer for one of
    /// them, and only the peer's acknowledgment says which. A small difference is lost data, not
    /// another SYN, and leaves the stream as it is.
    public mutating func realign(toAcknowledgment acknowledgment: UInt32) {
        guard sawSYN, deliveredBytes == 0, pending.isEmpty, !hasGap, !isFinished, let next = nextSequence
        else { return }
        let distance = Int32(bitPattern: acknowledgment &- next)
        guard distance > Self.realignmentDistance || distance < -Self.realignmentDistance else { return }
        initialSequence = acknowledgment &- 1
        nextSequence = acknowledgment
    }

    /// Farther than any window: an acknowledgment this far off is for another initial sequence.
    static let realignmentDistance: Int32 = 1 << 24

    /// Feeds one segment's payload. `deliver` receives contiguous in-order bytes and returns false
    /// once it wants no more; the reassembler then stops (and frees what it holds).
    /// - Returns: false when this direction wants no more data (consumer done, or a gap).
    @discardableResult
    public mutating func accept(
        sequence: UInt32, payload: UnsafeRawBufferPointer, declaredLength: Int,
        maximumPendingBytes: Int = defaultMaximumPendingBytes, deliver: (UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        guard !hasGap, !isFinished else { return false }
        guard declaredLength > 0 else { return true }
        guard let expected = nextSequence else {
            // Capture started mid-stream: take the first data we see as the stream start.
            nextSequence = sequence
            return accept(
                sequence: sequence, payload: payload, declaredLength: declaredLength,
                maximumPendingBytes: maximumPendingBytes, deliver: deliver)
        }
        let distance = Int32(bitPattern: sequence &- expected)
        if distance <= 0 {
            // Retransmission or overlap: drop what was already delivered.
            let skip = Int(-Int64(distance))
            guard skip < declaredLength else { return true }
            let cut = payload.count < declaredLength
            if skip < payload.count {
                let fresh = UnsafeRawBufferPointer(rebasing: payload[skip...])
                nextSequence = expected &+ UInt32(fresh.count)
                deliveredBytes += fresh.count
                guard deliver(fresh) else { return stop() }
            }
            // The snap length cut this segment: the bytes after the cut are lost for good.
            if cut { return markGap() }
            return drainPending(deliver: deliver)
        }
        // A hole before this segment: hold a copy until the hole fills.
        guard payload.count == declaredLength else { return markGap() }
        guard pending.count < Self.maximumPendingSegments,
            pendingBytes + payload.count <= maximumPendingBytes
        else {
            overflowed = true
            return markGap()
        }
        if !pending.contains(where: { $0.sequence == sequence && $0.bytes.count >= payload.count }) {
            pending.append((sequence, Array(payload)))
            pendingBytes += payload.count
        }
        return true
    }

    private mutating func drainPending(deliver: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        while !pending.isEmpty, let expected = nextSequence {
            var progressed = false
            var index = 0
            while index < pending.count {
                let segment = pending[index]
                let distance = Int32(bitPattern: segment.sequence &- expected)
                if distance > 0 {
                    index += 1
                    continue
                }
                pending.remove(at: index)
                pendingBytes -= segment.bytes.count
                let skip = Int(-Int64(distance))
                if skip < segment.bytes.count {
                    let keepGoing = segment.bytes.withUnsafeBytes { bytes in
                        let fresh = UnsafeRawBufferPointer(rebasing: bytes[skip...])
                        nextSequence = expected &+ UInt32(fresh.count)
                        deliveredBytes += fresh.count
                        return deliver(fresh)
                    }
                    guard keepGoing else { return stop() }
                    progressed = true
                    break
                }
            }
            if !progressed { break }
        }
        return true
    }

    private mutating func markGap() -> Bool {
        hasGap = true
        pending = []
        pendingBytes = 0
        return false
    }

    private mutating func stop() -> Bool {
        pending = []
        pendingBytes = 0
        isFinished = true
        return false
    }

    /// Bytes held for out-of-order segments (for memory accounting).
    public var heldBytes: Int { pendingBytes }
}
