import Foundation
import Testing

@testable import TLSTopCore

/// Certificate dates span far more than capture timestamps: RFC 5280's "no expiration"
/// (99991231235959Z) and a hostile certificate's years must never trap.
@Suite struct CertificateDateTests {
    @Test(arguments: [253_402_300_799.0, 1e11, -1e11, 1e300, -62_135_596_800.0])
    func farDatesSaturateInsteadOfOverflowing(seconds: Double) {
        let timestamp = Timestamp(Date(timeIntervalSince1970: seconds))
        #expect(
            seconds > 0
                ? timestamp.nanoseconds > 9_000_000_000_000_000_000 : timestamp.nanoseconds < -9_000_000_000_000_000_000
        )
        #expect(timestamp.rfc3339.hasSuffix("Z"))
    }

    @Test func ordinaryDatesAreExact() {
        #expect(Timestamp(Date(timeIntervalSince1970: 1_700_000_000.5)).nanoseconds == 1_700_000_000_500_000_000)
        #expect(Timestamp(Date(timeIntervalSince1970: .nan)) == .zero)
    }
}
