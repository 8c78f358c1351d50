import Foundation
import TestSupport
import Testing

@testable import TLSTopCore

/// The compliance report: the same bytes for the same capture, in both formats, and names off the
/// wire shown as text, never as Markdown or HTML.
/// Regenerate the goldens with `TLSTOP_UPDATE_GOLDEN=1 swift test --filter ComplianceReportTests`.
@Suite struct ComplianceReportTests {
    static let goldens = Fixtures.testsDirectory.appendingPathComponent("Fixtures/golden-reports")

    /// demo.pcap (strong, weak, clear-text and post-quantum hosts) under intermediate and PCI DSS.
    static func demoReport() throws -> ReportDocument {
        let fixture = try PcapFixture(contentsOf: Fixtures.pcap("demo.pcap"))
        var configuration = TrafficAnalysis.Configuration()
        configuration.aggregation.otherPolicies = [.builtIn(.pciDSS4)]
        let snapshot = fixture.track(configuration: configuration).snapshot(
            source: .init(kind: "file", name: "demo.pcap", linkType: "EN10MB"), generatedAt: .zero)
        return ComplianceReport.document(of: snapshot, generator: "tlstop (test)")
    }

    @Test(arguments: ["md", "html"])
    func theDemoReportIsTheGoldenOne(format: String) throws {
        let document = try Self.demoReport()
        let text = format == "md" ? document.markdown() : document.html()
        #expect(text == (format == "md" ? try Self.demoReport().markdown() : try Self.demoReport().html()))
        let golden = Self.goldens.appendingPathComponent("demo.\(format)")
        if ProcessInfo.processInfo.environment["TLSTOP_UPDATE_GOLDEN"] != nil {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOf: golden, encoding: .utf8)), "the report differs from \(golden.path)")
    }

    @Test func theDemoReportHasEverySection() throws {
        let markdown = try Self.demoReport().markdown()
        for heading in [
            "## Services", "## Certificate inventory", "## Plaintext services and cleartext credentials",
            "## Findings under intermediate", "## Findings under pci-dss-4",
        ] {
            #expect(markdown.contains(heading), "\(heading) missing")
        }
        // The PCI DSS rules are cited, the expired certificate is inventoried, the clear-text login named.
        #expect(markdown.contains("PCI DSS v4.0.1 Req. 4.2.1 (certificates valid, not expired)"))
        #expect(markdown.contains("| expired |"))
        #expect(markdown.contains("| 198.51.100.32:44506 | telnet 1 |"))
    }

    /// A server name built to break out: an HTML element, a table pipe, emphasis, a link, a heading
    /// and a line break.
    static let hostile = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>|*x*[a](b)\n# h.test"

    static func hostileReport() -> ReportDocument {
        ComplianceReport.document(of: ExportFormatTests.snapshot(sni: hostile), generator: "tlstop (test)")
    }

    @Test func hostileNamesStayTextInMarkdown() {
        let markdown = Self.hostileReport().markdown()
        // Every character Markdown would act on comes after a backslash.
        let characters = Array(markdown)
        for (index, character) in characters.enumerated() where "<>[]*`".contains(character) {
            #expect(index > 0 && characters[index - 1] == "\\", "unescaped \(character) at \(index)")
        }
        #expect(markdown.contains("\\<script\\>document.title='pwned'\\</script\\>"))
        #expect(!markdown.contains("\n# h.test"))
        // Every row of the services table keeps its nine columns: no pipe from the name splits a cell.
        let rows = markdown.split(separator: "\n").filter { $0.contains("h.test:443") }
        #expect(!rows.isEmpty)
        for row in rows {
            let pipes = row.split(separator: "|", omittingEmptySubsequences: false).count - 1
            let escaped = row.components(separatedBy: "\\|").count - 1
            #expect(pipes - escaped == 10, "\(row)")
        }
    }

    @Test func hostileNamesStayTextInHTML() {
        let html = Self.hostileReport().html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))
        #expect(html.contains("Content-Security-Policy"))
        // The line break became U+FFFD: one table row stays one row.
        #expect(html.contains("[a](b)\u{FFFD}# h.test"))
    }

    @Test func longNamesAreCut() {
        let long = String(repeating: "a", count: 5000) + ".test"
        let markdown = ComplianceReport.document(of: ExportFormatTests.snapshot(sni: long), generator: "t").markdown()
        #expect(!markdown.contains(long))
        #expect(markdown.contains(String(repeating: "a", count: ReportDocument.maximumCellLength) + "…"))
    }
}
