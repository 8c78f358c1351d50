import Foundation
import Testing

@testable import TLSTopCore

/// Inputs the fuzzers found, replayed the way their target feeds them (see Tests/Fuzz).
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Regressions")

    /// FuzzHandshake's format: a u16 server port, then [direction][u16 length][bytes] records.
    static func replayHandshake(_ input: [UInt8]) -> HandshakeAnalyzer {
        let analyzer = HandshakeAnalyzer(serverPort: UInt16(input[0]) << 8 | UInt16(input[1]), clientPort: 50_000)
        var offset = 2
        while input.count - offset >= 3 {
            let control = input[offset]
            let length = min(Int(input[offset + 1]) << 8 | Int(input[offset + 2]), input.count - offset - 3)
            let direction: Direction = control & 1 == 0 ? .client : .server
            let bytes = Array(input[(offset + 3)..<(offset + 3 + length)])
            if !analyzer.isFinished(direction) { bytes.withUnsafeBytes { _ = analyzer.consume($0, from: direction) } }
            if control & 2 != 0 { analyzer.finish(direction) }
            offset += 3 + length
        }
        return analyzer
    }

    @Test func repeatedPostgresSSLRequestsDoNotStall() throws {
        let input = try [UInt8](
            Data(
                contentsOf: Self.folder.appendingPathComponent(
                    "FuzzHandshake/postgres-repeated-sslrequest-stall")))
        let analyzer = Self.replayHandshake(input)
        #expect(analyzer.facts.application.protocolName == .postgres)
    }
}
