import FuzzSupport
import TLSTopCore

/// Certificate decoding: DER through swift-asn1 and swift-certificates into the facts tlstop shows
/// (names, key, signature, validity, SNI coverage). Seeds are the fixture certificates.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCertificate(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard let facts = try? CertificateFacts(der: Array(input)) else { return 0 }
    _ = facts.covers(hostName: "tlstop.test")
    _ = facts.covers(hostName: "a.b.tlstop.test")
    return 0
}
