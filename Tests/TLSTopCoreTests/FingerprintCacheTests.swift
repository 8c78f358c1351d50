import TestSupport
import Testing

@testable import TLSTopCore

/// The cache must give exactly what computing each fingerprint gives, tell hellos apart by every
/// field JA3/JA4/JA3S read, and stay within its capacity.
@Suite struct FingerprintCacheTests {
    @Test func aCachedFingerprintIsTheComputedOne() {
        let cache = FingerprintCache()
        let hello = FingerprintTests.specificationHello
        let first = cache.client(hello, carrier: .tcp)
        let second = cache.client(hello, carrier: .tcp)
        #expect(first.ja3 == TLSFingerprint.ja3(hello))
        #expect(first.ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(second == first)
        #expect(cache.hits == 1)
        #expect(cache.misses == 1)
    }

    @Test func everyFieldTheFingerprintsReadIsPartOfTheKey() {
        let cache = FingerprintCache()
        let base = FingerprintTests.specificationHello
        var variants: [ClientHello] = []
        var hello = base
        hello.legacyVersion = .tls10
        variants.append(hello)
        hello = base
        hello.supportedVersions = [.tls12]
        variants.append(hello)
        hello = base
        hello.cipherSuites = CodePointList(base.cipherSuites.dropLast())
        variants.append(hello)
        hello = base
        var types = Array(base.extensionTypes)
        types.swapAt(1, 2)
        hello.extensionTypes = CodePointList(types)
        variants.append(hello)
        hello = base
        hello.supportedGroups = [.x25519]
        variants.append(hello)
        hello = base
        hello.ecPointFormats = [0]
        variants.append(hello)
        hello = base
        hello.signatureAlgorithms = CodePointList(base.signatureAlgorithms.dropFirst())
        variants.append(hello)
        hello = base
        hello.firstALPNEdges = CodePointList("h1".utf8)
        variants.append(hello)
        _ = cache.client(base, carrier: .tcp)
        for variant in variants {
            let cached = cache.client(variant, carrier: .tcp)
            #expect(cached.ja3 == TLSFingerprint.ja3(variant))
            #expect(cached.ja4 == TLSFingerprint.ja4(variant, carrier: .tcp))
        }
        #expect(cache.hits == 0)
        #expect(cache.client(base, carrier: .quic).ja4.hasPrefix("q13d"))
        #expect(cache.hits == 0)
    }

    @Test func serverHellosAreKeyedByVersionSuiteAndExtensions() {
        let cache = FingerprintCache()
        var hello = ServerHello(legacyVersion: .tls12, cipherSuite: CipherSuite(rawValue: 0xC02F))
        hello.extensionTypes = [0xFF01, 0x000B]
        #expect(cache.server(hello) == TLSFingerprint.ja3s(hello))
        var other = hello
        other.extensionTypes = [0x000B, 0xFF01]
        #expect(cache.server(other) == TLSFingerprint.ja3s(other))
        #expect(cache.server(other) != cache.server(hello))
        #expect(cache.hits == 2)
    }

    @Test func hellosThatNeverRepeatStayWithinTheCapacity() {
        let cache = FingerprintCache(capacity: 8)
        for index in 0..<100 {
            var hello = FingerprintTests.specificationHello
            hello.cipherSuites = [CipherSuite(rawValue: UInt16(0x1000 + index))]
            #expect(cache.client(hello, carrier: .tcp).ja3 == TLSFingerprint.ja3(hello))
            #expect(cache.clientCount <= 8)
        }
        #expect(cache.misses == 100)
    }
}
