import Foundation
import TLSTopCore
import TestSupport
import Testing

/// The HTML report as an auditor opens it: in a real browser (Debian's Chromium, which `make test`
/// installs), headless. Its tables render, and a server name built to run a script stays text.
@Suite struct ReportInBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let hostile = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">.test"

    static func browse(_ page: URL, screenshot: URL) throws -> (dom: String, status: Int32) {
        let options = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1600"]
        let shot = try Subprocess.run(
            chromium, options + ["--screenshot=\(screenshot.path)", page.absoluteString], seconds: 60)
        let dom = try Subprocess.run(chromium, options + ["--dump-dom", page.absoluteString], seconds: 60)
        return (dom.output, shot.status == 0 ? dom.status : shot.status)
    }

    @Test func theReportRendersItsTablesAndRunsNoScript() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.chromium),
            "headless Chromium is missing: `make test-setup` installs Debian's chromium package")
        let folder = CommandLineTests.temporary("report-browser")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        // The demo capture's report, written by the binary.
        let demo = folder.appendingPathComponent("demo.html")
        let run = try CommandLineTests.run([
            "-r", CommandLineTests.fixtures.appendingPathComponent("demo.pcap").path, "--batch",
            "--policy", "intermediate,pci-dss-4", "--report", demo.path,
        ])
        #expect(run.status == 0, "\(run.error)")
        // A handshake whose server name is a script, through the whole pipeline.
        let snapshot = PostQuantumHandshake.snapshot([
            PostQuantumHandshake.clientHello(groups: [.x25519], shares: [.x25519], serverName: Self.hostile),
            PostQuantumHandshake.serverHello(group: .x25519),
        ])
        #expect(snapshot.connections.first?.sni == Self.hostile)
        let hostile = folder.appendingPathComponent("hostile.html")
        try ComplianceReport.document(of: snapshot, generator: "tlstop (test)").html()
            .write(to: hostile, atomically: true, encoding: .utf8)

        for page in [demo, hostile] {
            let html = try String(contentsOf: page, encoding: .utf8)
            let screenshot = folder.appendingPathComponent(page.lastPathComponent + ".png")
            let (dom, status) = try Self.browse(page, screenshot: screenshot)
            #expect(status == 0, "chromium failed on \(page.lastPathComponent)")
            // Every table of the file is in the page the browser built, and nothing changed its title.
            let tables = html.components(separatedBy: "<table>").count - 1
            #expect(tables >= (page == demo ? 6 : 3))
            #expect(dom.components(separatedBy: "<table>").count - 1 == tables)
            #expect(dom.contains("<title>TLS compliance report</title>"), "a script changed the title")
            #expect(!dom.contains("<script"), "the page has a script element")
            #expect(!dom.contains("<img"), "the page has an image element")
            // A screenshot of tables is far larger than one of an empty page (about 5 KB here).
            let png = try Data(contentsOf: screenshot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(png.count > 20_000, "\(page.lastPathComponent): a \(png.count)-byte screenshot is an empty page")
        }
        let hostileDOM = try Self.browse(hostile, screenshot: folder.appendingPathComponent("again.png")).dom
        #expect(hostileDOM.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), "the name is shown as text")
    }
}
