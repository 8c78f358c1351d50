import ArgumentParser
import Foundation
import TLSTopCapture
import TLSTopCore
import TLSTopExport

/// A run's failure, as the one line `tlstop: …` prints before exiting 1.
struct CommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

extension CaptureError {
    var commandError: CommandError { CommandError(message) }
}

/// `--policy`: built-in profiles or paths of TOML policy files, separated by commas (each read
/// when the run starts). The first decides findings, grades and totals; the others add verdicts.
struct PolicyChoice: ExpressibleByArgument, Equatable, Sendable {
    enum Item: Equatable, Sendable {
        case profile(Policy.Profile, notice: String?)
        case file(String)
    }

    let items: [Item]
    /// As given, for the help text and errors.
    let argument: String

    /// More policies than this at once is a typo, not a comparison anyone reads.
    static let maximumCount = 8

    init(argument: String) {
        self.argument = argument
        // A file whose name has a comma is still one file.
        let parts =
            FileManager.default.fileExists(atPath: argument)
            ? [argument] : argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        items = parts.map { part in
            Policy.Profile.named(part).map { .profile($0.profile, notice: $0.notice) } ?? .file(part)
        }
    }

    init(_ profile: Policy.Profile) {
        self.init(argument: profile.rawValue)
    }

    var defaultValueDescription: String { argument }

    /// Notices about the names given (`old` is now `legacy`), one line each.
    var notices: [String] {
        items.compactMap { if case .profile(_, let notice) = $0 { notice } else { nil } }
    }

    /// The policies, first one first; files read no further than their cap.
    func load() throws(CommandError) -> [Policy] {
        guard items.count <= Self.maximumCount else {
            throw CommandError("--policy takes at most \(Self.maximumCount) policies, got \(items.count)")
        }
        var policies: [Policy] = []
        for item in items {
            let policy = try Self.load(item)
            guard !policies.contains(where: { $0.name == policy.name }) else {
                throw CommandError("--policy names '\(policy.name)' twice; give each policy once")
            }
            policies.append(policy)
        }
        return policies
    }

    private static func load(_ item: Item) throws(CommandError) -> Policy {
        switch item {
        case .profile(let profile, _):
            return Policy.builtIn(profile)
        case .file(let path):
            // A regular file, read no further than the cap: `--policy /dev/zero` must not hang.
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            guard attributes?[.type] as? FileAttributeType == .typeRegular,
                let handle = FileHandle(forReadingAtPath: path),
                let data = try? handle.read(upToCount: PolicyFile.maximumSize + 1)
            else {
                let names = Policy.Profile.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandError("cannot read policy file '\(path)'; use \(names) or the path of a TOML policy file")
            }
            try? handle.close()
            do {
                return try PolicyFile.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw CommandError("policy file '\(path)' \(error.description)")
            }
        }
    }
}

/// `--report`: a compliance report whose name says its format.
struct ReportTarget: Equatable, Sendable {
    enum Format: String, Sendable { case markdown, html }

    let path: String
    let format: Format

    init(parsing path: String) throws(ValidationError) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "md", "markdown": format = .markdown
        case "html", "htm": format = .html
        default: throw ValidationError("the report's file name must end in .md or .html")
        }
        self.path = path
    }
}

/// `--export`: a file whose name says its format.
struct ExportTarget: ExpressibleByArgument, Equatable, Sendable {
    enum Format: String, Sendable { case json, csv }

    let path: String
    let format: Format

    init(parsing path: String) throws(ValidationError) {
        guard let format = Format(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased()) else {
            throw ValidationError("the file name must end in .json or .csv")
        }
        self.path = path
        self.format = format
    }

    init?(argument: String) { try? self.init(parsing: argument) }

    var defaultValueDescription: String { path }
}

/// `--limit NAME=VALUE`: one resource cap, checked against the known caps as it is parsed.
struct LimitSetting: ExpressibleByArgument, Equatable, Sendable {
    let assignment: String

    init(parsing assignment: String) throws(ValidationError) {
        var configuration = TrafficAnalysis.Configuration()
        do throws(TrafficAnalysis.Configuration.LimitError) {
            try configuration.setLimit(assignment)
        } catch {
            throw ValidationError(error.description)
        }
        self.assignment = assignment
    }

    init?(argument: String) { try? self.init(parsing: argument) }

    var defaultValueDescription: String { assignment }

    /// Applies the cap; it was checked when parsed, so this cannot fail.
    func apply(to configuration: inout TrafficAnalysis.Configuration) {
        try? configuration.setLimit(assignment)
    }
}

extension ListenEndpoint: ExpressibleByArgument {
    static func parsed(_ text: String) throws(ValidationError) -> ListenEndpoint {
        guard let endpoint = ListenEndpoint(parsing: text) else {
            throw ValidationError("expected HOST:PORT, [IPv6]:PORT or PORT, with an IP address and a port 1-65535")
        }
        return endpoint
    }

    public init?(argument: String) { self.init(parsing: argument) }

    public var defaultValueDescription: String { description }
}

extension ProbeScope: ExpressibleByArgument {}
