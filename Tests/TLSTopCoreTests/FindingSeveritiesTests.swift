import Testing

@testable import TLSTopCore

@Suite struct FindingSeveritiesTests {
    @Test func theCatalogueFits() {
        #expect(FindingID.all.count <= FindingSeverities.capacity)
        #expect(FindingID.all.allSatisfy { Int($0.index) < FindingSeverities.capacity } && !FindingID.all.isEmpty)
    }

    /// Against a dictionary, for every catalogue id and every order of severities.
    @Test func keepsTheWorstSeverityOfEachIdLikeADictionary() {
        var severities = FindingSeverities()
        var reference: [FindingID: Severity] = [:]
        let steps: [Severity] = [.info, .critical, .ok, .warn, .info, .critical]
        for (offset, id) in FindingID.all.enumerated() {
            for step in 0..<(offset % steps.count + 1) {
                let severity = steps[(offset + step) % steps.count]
                severities.raise(id, to: severity)
                reference[id] = max(reference[id] ?? .ok, severity)
            }
        }
        #expect(reference.count == FindingID.all.count)
        for id in FindingID.all { #expect(severities[id] == reference[id], "\(id)") }
        #expect(FindingSeverities()[.sslv3] == nil)
        var unknown = FindingSeverities()
        unknown.raise(FindingID(rawValue: "no-such-finding"), to: .critical)
        #expect(unknown == FindingSeverities())
    }
}
