import TestSupport
import Testing

@testable import TLSTopCore

/// The shards of a read make their records straight into the merged array: each record's place
/// is its rank by id among all shards' records.
@Suite struct SnapshotPartsPlacesTests {
    @Test func placesAreRanksByIDOverEveryList() {
        #expect(SnapshotParts.places(of: []).isEmpty)
        #expect(SnapshotParts.places(of: [[], []]) == [[], []])
        #expect(SnapshotParts.places(of: [[3, 9, 10]]) == [[0, 1, 2]])
        #expect(
            SnapshotParts.places(of: [[1, 2, 3, 10], [], [4, 5, 11], [6]]) == [[0, 1, 2, 6], [], [3, 4, 7], [5]])
        #expect(SnapshotParts.places(of: [[7, 8], [1, 2]]) == [[2, 3], [0, 1]])
    }

    @Test func placesOfRandomSplitsCoverEveryPlaceOnceInOrder() {
        var generator = SplitMix64(seed: 16)
        for shards in 1...4 {
            var lists = [[Int]](repeating: [], count: shards)
            for id in 0..<2000 { lists[Int.random(in: 0..<shards, using: &generator)].append(id * 3) }
            let places = SnapshotParts.places(of: lists)
            // A list's records keep their order, and the place of id 3k is k.
            for (list, listPlaces) in zip(lists, places) {
                #expect(listPlaces == list.map { $0 / 3 }, "\(shards) shards")
            }
            #expect(places.flatMap { $0 }.sorted() == Array(0..<2000))
        }
    }
}
