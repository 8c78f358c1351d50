import Dispatch
import FlyingFox
import Foundation
import Synchronization
import TLSTopCore

/// Serves `GET /metrics` (Prometheus text format 0.0.4) on its own tasks: a scrape reads the latest
/// published snapshot and the recorder's counters, never the capture thread's tables.
public final class MetricsServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public let endpoint: ListenEndpoint
    private let server: HTTPServer
    private let task: Task<Void, Never>

    private init(endpoint: ListenEndpoint, server: HTTPServer, task: Task<Void, Never>) {
        self.endpoint = endpoint
        self.server = server
        self.task = task
    }

    /// Binds and listens before returning, so that a port in use fails at start-up in one line.
    public static func start(
        on endpoint: ListenEndpoint, recorder: MetricsRecorder, snapshot: @escaping @Sendable () -> Snapshot?
    ) throws(StartError) -> MetricsServer {
        let server: HTTPServer
        do {
            server =
                endpoint.isIPv6
                ? HTTPServer(
                    address: try sockaddr_in6.inet6(ip6: endpoint.host, port: endpoint.port), timeout: 10,
                    logger: .disabled)
                : HTTPServer(
                    address: try sockaddr_in.inet(ip4: endpoint.host, port: endpoint.port), timeout: 10,
                    logger: .disabled)
        } catch {
            throw StartError(description: "--metrics '\(endpoint)': not an IP address to listen on")
        }
        let outcome = StartOutcome()
        let settled = DispatchSemaphore(value: 0)
        let task = Task {
            await server.appendRoute("GET /metrics") { _ in
                if let latest = snapshot() { recorder.update(from: latest) }
                return HTTPResponse(
                    statusCode: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: Data(recorder.exposition()))
            }
            await server.appendRoute("GET /") { _ in
                HTTPResponse(
                    statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: Data("tlstop: metrics at /metrics\n".utf8))
            }
            do {
                try await server.run()
            } catch {
                outcome.value.withLock { $0 = $0 ?? "\(error)" }
                settled.signal()
            }
        }
        Task {
            do {
                try await server.waitUntilListening(timeout: 10)
                outcome.value.withLock { $0 = $0 ?? "" }
            } catch {
                outcome.value.withLock { $0 = $0 ?? "\(error)" }
            }
            settled.signal()
        }
        settled.wait()
        if let failure = outcome.value.withLock({ $0 }), !failure.isEmpty {
            task.cancel()
            throw StartError(
                description: "cannot listen on --metrics \(endpoint): \(Self.reason(failure)); choose another port")
        }
        return MetricsServer(endpoint: endpoint, server: server, task: task)
    }

    /// FlyingFox's socket errors print as `failed(type: "Bind", errno: 98, message: "Address
    /// already in use")`: the message is what a person needs.
    static func reason(_ failure: String) -> String {
        guard let marker = failure.range(of: "message: \""),
            let close = failure[marker.upperBound...].firstIndex(of: "\"")
        else { return failure }
        return String(failure[marker.upperBound..<close])
    }

    /// Closes the listening socket.
    public func stop() {
        let done = DispatchSemaphore(value: 0)
        Task {
            await server.stop(timeout: 0)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
        task.cancel()
    }
}

/// What the first of "listening" and "failed" said: "" for listening, else the error.
private final class StartOutcome: Sendable {
    let value = Mutex<String?>(nil)
}

/// `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT` (loopback): where `--metrics` listens.
public struct ListenEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public var isIPv6: Bool { host.contains(":") }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses the option's value; `nil` when it is not one of the accepted forms.
    public init?(parsing text: String) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            guard text.firstIndex(of: ":") == colon else { return nil }  // IPv6 needs brackets
            let named = text[..<colon]
            if !named.isEmpty { host = named == "localhost" ? "127.0.0.1" : String(named) }
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText), port > 0, Self.isAddress(host) else { return nil }
        self.host = host
        self.port = port
    }

    private static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
