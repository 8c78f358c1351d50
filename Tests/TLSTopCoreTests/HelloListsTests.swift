import Testing

@testable import TLSTopCore

/// The ClientHello's lists share one buffer: a list that grows again, or is replaced, moves to
/// the end without disturbing the others, and equality ignores where each list lies.
@Suite struct HelloListsTests {
    @Test func aListFilledAgainLaterMovesWithoutTouchingTheOthers() {
        var lists = HelloLists()
        lists.open(.groups)
        lists.append(29, to: .groups)
        lists.append(23, to: .groups)
        lists.open(.cipherSuites)
        lists.append(0x1301, to: .cipherSuites)
        // A second supported_groups extension: appended to the first, as the parser always did.
        lists.open(.groups)
        lists.append(24, to: .groups)
        #expect(Array(lists.list(.groups, as: UInt16.self)) == [29, 23, 24])
        #expect(Array(lists.list(.cipherSuites, as: UInt16.self)) == [0x1301])
        #expect(lists.storage.count == 4, "no value left behind")

        lists.set(.cipherSuites, to: [1, 2, 3])
        lists.set(.groups, to: [])
        #expect(Array(lists.list(.cipherSuites, as: UInt16.self)) == [1, 2, 3])
        #expect(lists.list(.groups, as: UInt16.self).isEmpty)
        #expect(lists.storage.count == 3)

        // Shrinking keeps every value where it was.
        lists.open(.signatureAlgorithms)
        for value in 0..<100 { lists.append(UInt16(value), to: .signatureAlgorithms) }
        lists.shrinkToFit()
        #expect(lists.storage.capacity < 110)
        #expect(Array(lists.list(.signatureAlgorithms, as: UInt16.self)) == (0..<100).map(UInt16.init))
        #expect(Array(lists.list(.cipherSuites, as: UInt16.self)) == [1, 2, 3])
    }

    @Test func equalityAndHashingIgnoreWhereAListLies() {
        var first = HelloLists()
        first.set(.versions, to: [0x0304])
        first.set(.cipherSuites, to: [0x1301, 0x1302])
        var second = HelloLists()
        second.set(.cipherSuites, to: [0x1301, 0x1302])
        second.set(.versions, to: [0x0304])
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        second.set(.versions, to: [0x0303])
        #expect(first != second)
    }

    @Test func aParsedHelloKeepsEveryListAndItsOrder() throws {
        var hello = ClientHello(legacyVersion: .tls12)
        hello.cipherSuites = [CipherSuite(rawValue: 0x1301), CipherSuite(rawValue: 0xc02f)]
        hello.supportedGroups = [.x25519, .secp256r1]
        hello.sessionID = [UInt8](repeating: 7, count: 32)
        hello.supportedVersions = [.tls13, .tls12]
        #expect(hello.cipherSuites.map(\.rawValue) == [0x1301, 0xc02f])
        #expect(Array(hello.supportedGroups) == [.x25519, .secp256r1])
        #expect(hello.sessionID.count == 32 && hello.sessionID.allSatisfy { $0 == 7 })
        #expect(hello.highestVersion == .tls13)
        let offer = ClientOffer(hello)
        #expect(Array(offer.versions) == [.tls13, .tls12])
        var other = hello
        other.sessionID = [UInt8](repeating: 9, count: 32)
        // An offer is what the client offered: a different session ID is the same offer.
        #expect(ClientOffer(other) == offer)
        #expect(other != hello)
    }
}
