import FuzzSupport
import TLSTopCore

/// The handshake analysis of one TCP connection's reassembled streams: TLS records, handshake
/// messages, SSLv2, STARTTLS and the plaintext protocol observers.
///
/// Input: two bytes of server port, then records whose control byte's low bit says the direction
/// (0 client, 1 server) and whose bytes continue that direction's stream; bit 1 ends the direction
/// after the record (a gap or FIN). Seeds are the fixtures' TCP payloads in capture order.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandshake(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard input.count >= 2 else { return 0 }
    let serverPort = UInt16(input[0]) << 8 | UInt16(input[1])
    let analyzer = HandshakeAnalyzer(serverPort: serverPort, clientPort: 50_000)
    for record in FuzzRecords(UnsafeRawBufferPointer(rebasing: input.dropFirst(2))) {
        let direction: Direction = record.control & 1 == 0 ? .client : .server
        if !analyzer.isFinished(direction) { analyzer.consume(record.bytes, from: direction) }
        if record.control & 2 != 0 { analyzer.finish(direction) }
    }
    let facts = analyzer.facts
    _ = PostureEvaluator.evaluate(facts, protocol: .tls, policy: .intermediate, at: .zero)
    _ = PostureEvaluator.evaluate(facts, protocol: .plaintext, policy: .builtIn(.modern), at: .zero)
    return 0
}
