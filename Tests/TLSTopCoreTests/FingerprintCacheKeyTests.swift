import Testing

@testable import TLSTopCore

/// The fingerprint cache's key: equal for the same fields in different buffers, different when any
/// field JA3 or JA4 reads differs (its digest and its byte-wise list comparison).
@Suite struct FingerprintCacheKeyTests {
    private typealias Key = FingerprintCache.ClientKey

    @Test func theSameListsInAnotherBufferAreTheSameKey() {
        let hello = FingerprintTests.specificationHello
        // Rebuilt list by list: new storage, same values.
        var copy = ClientHello(legacyVersion: hello.legacyVersion)
        copy.supportedVersions = CodePointList(Array(hello.supportedVersions))
        copy.cipherSuites = CodePointList(Array(hello.cipherSuites))
        copy.extensionTypes = CodePointList(Array(hello.extensionTypes))
        copy.signatureAlgorithms = CodePointList(Array(hello.signatureAlgorithms))
        copy.firstALPNEdges = CodePointList(Array(hello.firstALPNEdges))
        #expect(Key(hello, carrier: .tcp) == Key(copy, carrier: .tcp))
        #expect(Key(hello, carrier: .tcp).hashValue == Key(copy, carrier: .tcp).hashValue)
        #expect(Key(hello, carrier: .tcp) != Key(copy, carrier: .quic))
    }

    @Test func anyFieldThatDiffersMakesAnotherKey() {
        let base = FingerprintTests.specificationHello
        var changes: [ClientHello] = []
        var hello = base
        hello.legacyVersion = .tls10
        changes.append(hello)
        hello = base
        hello.supportedVersions = [.tls13]
        changes.append(hello)
        hello = base
        // The same count, the last suite changed: the bytes past the last whole word are compared.
        hello.cipherSuites = CodePointList(Array(base.cipherSuites.dropLast()) + [CipherSuite(rawValue: 0x0036)])
        changes.append(hello)
        hello = base
        hello.extensionTypes = CodePointList(Array(base.extensionTypes.reversed()))
        changes.append(hello)
        hello = base
        hello.supportedGroups = [.x25519]
        changes.append(hello)
        hello = base
        hello.ecPointFormats = [0]
        changes.append(hello)
        hello = base
        hello.signatureAlgorithms = CodePointList(Array(base.signatureAlgorithms.dropFirst()))
        changes.append(hello)
        hello = base
        hello.firstALPNEdges = CodePointList("h1".utf8)
        changes.append(hello)
        let key = Key(base, carrier: .tcp)
        #expect(changes.count == 8)
        for (index, changed) in changes.enumerated() {
            #expect(Key(changed, carrier: .tcp) != key, "change \(index)")
        }
        #expect(Set(changes.map { Key($0, carrier: .tcp) }).count == changes.count)
    }
}
