import Foundation
import Testing

@testable import TLSTopUI

/// `--theme NAME` looks in the user's folder, then the installed one, then the built-ins.
@Suite struct ThemeFolderTests {
    @Test func theInstalledFolderComesAfterTheUsersAndBeforeTheBuiltIns() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tlstop-themes-\(getpid())")
        let user = base.appendingPathComponent("config/tlstop/themes")
        let system = base.appendingPathComponent("share/tlstop/themes")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: system, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let dark = try String(
            contentsOf: ThemeTests.themesDirectory.appendingPathComponent("dark.theme"), encoding: .utf8)
        try dark.write(to: system.appendingPathComponent("site.theme"), atomically: true, encoding: .utf8)
        let environment = ["XDG_CONFIG_HOME": base.appendingPathComponent("config").path]

        let site = try ThemeLocator.load("site", environment: environment, systemDirectory: system.path)
        #expect(site == (try ThemeParser.parse(dark, name: "site")))
        #expect(throws: ThemeLocator.LocateError.self) {
            try ThemeLocator.load("site", environment: environment, systemDirectory: nil)
        }
        // The user's own file of the same name wins.
        let light = try String(
            contentsOf: ThemeTests.themesDirectory.appendingPathComponent("light.theme"), encoding: .utf8)
        try light.write(to: user.appendingPathComponent("site.theme"), atomically: true, encoding: .utf8)
        let mine = try ThemeLocator.load("site", environment: environment, systemDirectory: system.path)
        #expect(mine == (try ThemeParser.parse(light, name: "site")))
    }
}
