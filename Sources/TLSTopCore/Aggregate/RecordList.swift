import Dispatch

/// The records of a snapshot's parts, in memory of their own, so that a sharded read's merge
/// moves them instead of copying them: a record is 632 bytes holding a few dozen references,
/// and copying one retains each of them (then freeing the original releases each again). That
/// was most of the merge, on one core, while the other waited.
///
/// Owned by one `SnapshotParts` at a time (see `SnapshotParts.snapshot` and `merging`): a list
/// shared by two copies of the parts is copied, not moved from.
final class RecordList: @unchecked Sendable {
    // @unchecked: handed from a shard's thread to the reading thread by a semaphore, never shared.
    private var base: UnsafeMutablePointer<ConnectionRecord>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    convenience init(copying records: [ConnectionRecord]) {
        self.init(capacity: records.count)
        for index in records.indices { append(records[index]) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    func append(_ record: ConnectionRecord) {
        if count == capacity { grow(to: capacity * 2) }
        (base + count).initialize(to: record)
        count += 1
    }

    /// The id of the record at `index`, read in place.
    func id(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "record index out of range")
        return base[index].id
    }

    /// Whether the ids never fall from first to last.
    var isInOrderOfID: Bool {
        (1..<max(1, count)).allSatisfy { base[$0 - 1].id <= base[$0].id }
    }

    /// Copies of the records, the list unchanged.
    func copied() -> [ConnectionRecord] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The records moved into an array; the list is left empty.
    func takeAll() -> [ConnectionRecord] {
        let moving = count
        count = 0
        return Array(unsafeUninitializedCapacity: moving) { buffer, initialized in
            if let destination = buffer.baseAddress { destination.moveInitialize(from: base, count: moving) }
            initialized = moving
        }
    }

    /// The records of all lists, each in order of id, moved into one array in order of id (the
    /// array the snapshot keeps: moving them twice faulted in their memory twice); the lists are
    /// left empty. Two lists (a read on two cores) are merged by two threads, each filling half of
    /// the array: touching 600 bytes a record for the first time is most of a merge's cost.
    static func interleaving(_ lists: [RecordList], parallelFrom threshold: Int = 4096) -> [ConnectionRecord] {
        let total = lists.reduce(0) { $0 + $1.count }
        let merged = [ConnectionRecord](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let destination = buffer.baseAddress else { return }
            if lists.count == 2, total >= max(2, threshold) {
                let (first, second) = (lists[0], lists[1])
                let half = total / 2
                let split = first.splitPoint(merging: second, firstCount: half)
                let target = Destination(base: destination)
                DispatchQueue.concurrentPerform(iterations: 2) { worker in
                    if worker == 0 {
                        moveRuns([(first, 0..<split), (second, 0..<(half - split))], to: target.base)
                    } else {
                        moveRuns(
                            [(first, split..<first.count), (second, (half - split)..<second.count)],
                            to: target.base + half)
                    }
                }
            } else {
                moveRuns(lists.map { ($0, 0..<$0.count) }, to: destination)
            }
            initialized = total
        }
        for list in lists { list.count = 0 }
        return merged
    }

    /// How many of this list's records are among the first `firstCount` of its merge with
    /// `other` (both in order of id; this list's go first among equal ids).
    private func splitPoint(merging other: RecordList, firstCount: Int) -> Int {
        var low = max(0, firstCount - other.count)
        var high = min(firstCount, count)
        while low < high {
            let middle = (low + high) / 2
            // This list's record `middle` comes before other's record `firstCount - middle - 1`:
            // more than `middle` of this list's are among the first.
            if base[middle].id <= other.base[firstCount - middle - 1].id {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// Moves the records of `runs` (a range of each list, each in order of id) to `destination`
    /// in order of id, a run of one list at a time.
    private static func moveRuns(
        _ runs: [(list: RecordList, range: Range<Int>)], to destination: UnsafeMutablePointer<ConnectionRecord>
    ) {
        var cursor = destination
        var heads = runs.map(\.range.lowerBound)
        while true {
            // The list whose next record comes first, and the id its run stops before.
            var best = -1
            var bestID = Int.max
            var bound = Int.max
            for (index, run) in runs.enumerated() where heads[index] < run.range.upperBound {
                let id = run.list.base[heads[index]].id
                if best < 0 || id < bestID {
                    if best >= 0 { bound = min(bound, bestID) }
                    best = index
                    bestID = id
                } else {
                    bound = min(bound, id)
                }
            }
            guard best >= 0 else { return }
            let run = runs[best]
            let start = heads[best]
            // At least the head moves, so the loop ends whatever the ids.
            var end = start + 1
            while end < run.range.upperBound, run.list.base[end].id < bound { end += 1 }
            cursor.moveInitialize(from: run.list.base + start, count: end - start)
            cursor += end - start
            heads[best] = end
        }
    }

    private func grow(to newCapacity: Int) {
        let moved = UnsafeMutablePointer<ConnectionRecord>.allocate(capacity: newCapacity)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = newCapacity
    }
}

/// Where a merge worker moves records to (its own part of the array, nothing else).
private struct Destination: @unchecked Sendable {
    let base: UnsafeMutablePointer<ConnectionRecord>
}
