import TestSupport
import Testing

@testable import TLSTopCore

/// The records of a sharded read's parts are moved, not copied, into one list by id.
@Suite struct RecordListTests {
    static func record(id: Int, sni: String) -> ConnectionRecord {
        var record = ExportFormatTests.connection(sni: sni)
        record.id = id
        return record
    }

    static func list(_ ids: [Int]) -> RecordList {
        let list = RecordList()
        for id in ids { list.append(record(id: id, sni: "host-\(id).test")) }
        return list
    }

    @Test func listsInterleaveByIDWithRunsFromEachAndEmptyOnes() {
        let lists = [Self.list([1, 2, 3, 10, 11, 30]), Self.list([]), Self.list([4, 5, 12, 31, 32]), Self.list([6])]
        let merged = RecordList.interleaving(lists)
        #expect(merged.map(\.id) == [1, 2, 3, 4, 5, 6, 10, 11, 12, 30, 31, 32])
        // Each record moved whole: its strings came with it.
        #expect(merged.allSatisfy { $0.sni == "host-\($0.id).test" })
        #expect(lists.allSatisfy { $0.isEmpty }, "moved out, not copied")
    }

    @Test func equalIDsStillEndTheMerge() {
        let merged = RecordList.interleaving([Self.list([1, 5, 5]), Self.list([5, 5, 6])])
        #expect(merged.map(\.id) == [1, 5, 5, 5, 5, 6])
    }

    @Test func aListGrowsAndHandsItsRecordsOver() {
        let list = RecordList(capacity: 1)
        for id in 0..<100 { list.append(Self.record(id: id, sni: "s\(id)")) }
        #expect(list.count == 100 && list.isInOrderOfID)
        #expect(list.copied().map(\.id) == Array(0..<100))
        let taken = list.takeAll()
        #expect(taken.map(\.sni) == (0..<100).map { "s\($0)" })
        #expect(list.isEmpty)
    }

    /// Two lists are merged by two threads, each filling half: wherever the half falls (inside a
    /// run of either list, at either end), the result is the serial merge.
    @Test func twoListsMergedInHalvesGiveTheSerialMerge() {
        let shapes: [([Int], [Int])] = [
            ([1, 2, 3, 4], [5, 6, 7, 8]), ([5, 6, 7, 8], [1, 2, 3, 4]), ([1, 3, 5, 7, 9], [2, 4, 6, 8]),
            ([1, 2, 3, 4, 5, 6, 7], [8]), ([8], [1, 2, 3, 4, 5, 6, 7]), ([2, 4], [1, 3, 5, 6, 7, 9, 10]),
            ([1, 5, 5], [5, 5, 6]), ([3], [3]),
        ]
        for (first, second) in shapes {
            let expected = (first + second).sorted()
            let merged = RecordList.interleaving([Self.list(first), Self.list(second)], parallelFrom: 2)
            #expect(merged.map(\.id) == expected, "\(first) with \(second)")
            #expect(merged.allSatisfy { $0.sni == "host-\($0.id).test" })
        }
        // Larger lists, every split of 0…1000 ids between them.
        var generator = SplitMix64(seed: 16)
        var first: [Int] = []
        var second: [Int] = []
        for id in 0..<1000 {
            if Bool.random(using: &generator) { first.append(id) } else { second.append(id) }
        }
        let merged = RecordList.interleaving([Self.list(first), Self.list(second)], parallelFrom: 2)
        #expect(merged.map(\.id) == Array(0..<1000))
    }

    @Test func nothingToMergeGivesNothing() {
        #expect(RecordList.interleaving([]).isEmpty)
        #expect(RecordList.interleaving([RecordList(), RecordList()]).isEmpty)
    }
}
