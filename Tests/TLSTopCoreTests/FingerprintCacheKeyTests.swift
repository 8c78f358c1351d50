import Testing

@testable import TLSTopCore

/// The fingerprint cache's key: equal for the same fields in different buffers (its digest and its
/// byte-wise list comparison read values, not where they are stored).
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

    /// Lists compare eight bytes at a time, then the rest: a change in the last few bytes of a
    /// list of the same length must still tell the keys apart (`FingerprintCacheTests` covers
    /// a change of each field).
    @Test func aChangeInTheLastBytesOfAListMakesAnotherKey() {
        let base = FingerprintTests.specificationHello
        #expect(base.cipherSuites.count * 2 % 8 != 0)
        var hello = base
        hello.cipherSuites = CodePointList(Array(base.cipherSuites.dropLast()) + [CipherSuite(rawValue: 0x0036)])
        #expect(hello.cipherSuites.count == base.cipherSuites.count)
        #expect(Key(hello, carrier: .tcp) != Key(base, carrier: .tcp))
        #expect(hello.cipherSuites != base.cipherSuites)
    }
}
