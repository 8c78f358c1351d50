import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// docs/policy.md carries the tables the code applies; this keeps them identical.
/// Regenerate with `TLSTOP_UPDATE_GOLDEN=1 swift test --filter PolicyDocumentationTests`.
@Suite struct PolicyDocumentationTests {
    static let document = Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent("docs/policy.md")

    static func replacing(_ section: String, with body: String, in text: String) -> String {
        let start = "<!-- generated: \(section) -->\n"
        let end = "<!-- end: \(section) -->"
        guard let from = text.range(of: start), let to = text.range(of: end), from.upperBound <= to.lowerBound else {
            return text
        }
        return text.replacingCharacters(in: from.upperBound..<to.lowerBound, with: body)
    }

    @Test func tablesInTheDocsMatchTheCode() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        var expected = Self.replacing("findings", with: PolicyDocumentation.findingsTable(), in: text)
        expected = Self.replacing("profiles", with: PolicyDocumentation.profilesTable(), in: expected)
        expected = Self.replacing("references", with: PolicyDocumentation.referencesTable(), in: expected)
        if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_GOLDEN"] != nil {
            try expected.write(to: Self.document, atomically: true, encoding: .utf8)
        }
        #expect(text == expected, "docs/policy.md is out of date")
        for id in FindingID.all { #expect(text.contains("`\(id.rawValue)`")) }
        for section in ["findings", "profiles", "references"] {
            #expect(text.contains("<!-- generated: \(section) -->"), "docs/policy.md lost its \(section) table")
        }
    }
}
