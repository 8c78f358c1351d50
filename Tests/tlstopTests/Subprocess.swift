import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A child process for the end-to-end tests, started with `posix_spawn` and reaped with `waitpid`.
///
/// Foundation's `Process` learns that a child ended through a socket the child inherits; a child
/// that daemonizes (tmux starting its server) hands that socket on, and `waitUntilExit` then waits
/// for the server, not the child. Pipes have the same flaw: a grandchild that keeps one open makes a
/// read to its end wait forever. So the child gets only files (standard input, output, error) and
/// no other descriptor, and every wait has a deadline after which the child is killed.
struct Subprocess {
    let pid: pid_t
    let path: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `path` with `arguments`; standard input reads `input` (or /dev/null), output and
    /// error are written to the given files (or /dev/null).
    static func spawn(
        _ path: String, _ arguments: [String], input: URL? = nil, output: URL? = nil, error: URL? = nil
    ) throws -> Subprocess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let error, error == output {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(
                &actions, 2, error?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        closeInheritedDescriptors(&actions)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The test runner's threads may block signals, and a child inherits the mask: a server
        // started by a script would then ignore the SIGTERM meant to end it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        // sudo's variables decide whom tlstop becomes: a suite run through sudo must not make every
        // child drop to the caller. Tests that want them pass them through `env`.
        let environment: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SUDO_") }.map {
                strdup("\($0.key)=\($0.value)")
            }
            + [nil]
        defer { for pointer in environment { free(pointer) } }
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environment)
        guard status == 0 else {
            throw Failure(description: "cannot start \(path): \(String(cString: strerror(status)))")
        }
        return Subprocess(pid: pid, path: path)
    }

    /// Waits at most `seconds` for the child to end and returns its exit status (128 + signal when
    /// a signal ended it). Past the deadline the child is killed, the test records an issue and the
    /// result is -1.
    @discardableResult
    func wait(seconds: Double, sourceLocation: SourceLocation = #_sourceLocation) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return Self.exitCode(status) }
            if result < 0 && errno != EINTR { return -1 }
            if Date() >= deadline { break }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        Issue.record("\(path) did not end within \(seconds) s and was killed", sourceLocation: sourceLocation)
        return -1
    }

    /// glibc 2.34+ closes every descriptor from 3 up in the child; Swift's Glibc module does not
    /// import that function, so it is looked up by name. Older libraries get an explicit close of
    /// each descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Runs `path` to its end (within `seconds`) and returns its exit status and what it printed.
    static func run(
        _ path: String, _ arguments: [String], input: String? = nil, seconds: Double = 120,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (status: Int32, output: String, error: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tlstop-subprocess-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputFile = folder.appendingPathComponent("stdin")
        let outputFile = folder.appendingPathComponent("stdout")
        let errorFile = folder.appendingPathComponent("stderr")
        if let input { try Data(input.utf8).write(to: inputFile) }
        let child = try spawn(
            path, arguments, input: input == nil ? nil : inputFile, output: outputFile, error: errorFile)
        let status = child.wait(seconds: seconds, sourceLocation: sourceLocation)
        let output = (try? Data(contentsOf: outputFile)) ?? Data()
        let error = (try? Data(contentsOf: errorFile)) ?? Data()
        return (status, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }
}
