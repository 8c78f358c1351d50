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

/// `--policy`: a built-in profile, or the path of a TOML policy file (read when the run starts).
enum PolicyChoice: ExpressibleByArgument, Equatable, Sendable {
    case profile(Policy.Profile)
    case file(String)

    init(argument: String) {
        self = Policy.Profile(rawValue: argument).map(PolicyChoice.profile) ?? .file(argument)
    }

    var defaultValueDescription: String {
        switch self {
        case .profile(let profile): profile.rawValue
        case .file(let path): path
        }
    }

    /// The profile's policy, or the file's, read no further than its cap.
    func load() throws(CommandError) -> Policy {
        switch self {
        case .profile(let profile):
            return Policy.builtIn(profile)
        case .file(let path):
            // A regular file, read no further than the cap: `--policy /dev/zero` must not hang.
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            guard attributes?[.type] as? FileAttributeType == .typeRegular,
                let handle = FileHandle(forReadingAtPath: path),
                let data = try? handle.read(upToCount: PolicyFile.maximumSize + 1)
            else {
                throw CommandError(
                    "cannot read policy file '\(path)'; use modern, intermediate, old or the path of a TOML policy file"
                )
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
