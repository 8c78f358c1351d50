import Prometheus
import Synchronization
import TLSTopCore

/// The Prometheus metrics: counters of the connections tlstop has classified (fed from the
/// capture thread, once per connection), traffic counters and top-host gauges taken from the
/// latest snapshot when Prometheus scrapes.
///
/// Every label set is bounded: protocols, versions, severities and finding ids come from fixed
/// lists; cipher and group names from registries an attacker can pick from, so each family keeps
/// at most `maximumLabelValues` values and counts the rest as `other`; hosts appear only for the
/// `topHosts` busiest ones, never one series per client address.
public final class MetricsRecorder: Sendable {
    public let registry = PrometheusCollectorRegistry()
    public let maximumLabelValues: Int
    public let topHosts: Int

    private let connections: LabeledCounters
    private let tlsConnections: LabeledCounters
    private let ciphers: LabeledCounters
    private let groups: LabeledCounters
    private let findings: LabeledCounters
    private let traffic: TrafficCounters
    private let hostGauges: Mutex<HostGauges>

    public init(maximumLabelValues: Int = 64, topHosts: Int = 20, version: String, policy: String) {
        self.maximumLabelValues = max(1, maximumLabelValues)
        self.topHosts = max(0, topHosts)
        connections = LabeledCounters(
            registry: registry, name: "tlstop_connections_total",
            help:
                "Connections classified, by protocol (tls, quic, dtls, plaintext, ssh, ...) and worst finding severity.",
            labels: ["protocol", "severity"], limit: self.maximumLabelValues)
        tlsConnections = LabeledCounters(
            registry: registry, name: "tlstop_tls_connections_total",
            help:
                "TLS, DTLS and QUIC connections by negotiated version, forward secrecy and post-quantum key exchange.",
            labels: ["version", "pfs", "pq"], limit: self.maximumLabelValues)
        ciphers = LabeledCounters(
            registry: registry, name: "tlstop_tls_cipher_connections_total",
            help: "TLS connections by negotiated cipher suite.", labels: ["cipher"], limit: self.maximumLabelValues)
        groups = LabeledCounters(
            registry: registry, name: "tlstop_tls_group_connections_total",
            help: "TLS connections by key-exchange group.", labels: ["group"], limit: self.maximumLabelValues)
        findings = LabeledCounters(
            registry: registry, name: "tlstop_findings_total",
            help: "Findings raised on classified connections, by finding id and severity.",
            labels: ["finding", "severity"], limit: self.maximumLabelValues)
        traffic = TrafficCounters(registry: registry)
        hostGauges = Mutex(HostGauges())
        // Every protocol and severity starts at zero, so the first plaintext connection is an
        // increase Prometheus can see (a series born at 1 has no increase) and alerts fire on it.
        for protocolName in Self.protocols {
            for severity in Severity.allCases { connections.create([protocolName, severity.name]) }
        }
        registry.gauge(
            name: "tlstop_build_info", labels: [("version", version), ("policy", policy)],
            help: "Always 1: the tlstop version and the policy connections are judged by."
        ).set(to: 1.0)
    }

    /// The `protocol` label values of `tlstop_connections_total`.
    public static let protocols = ConnectionProtocol.allCases.filter { $0 != .unknown }.map(\.name)

    /// Counts one classified connection (the tracker's `onReport`, on the capture thread).
    public func record(_ connection: ConnectionRecord) {
        let severity = connection.severity.name
        connections.increment([connection.protocol.name, severity])
        if connection.protocol.isTLSFamily {
            let pfs = connection.pfs.map { $0 ? "true" : "false" } ?? "unknown"
            tlsConnections.increment([connection.version?.name ?? "unknown", pfs, connection.pq ? "true" : "false"])
            if let cipher = connection.cipher { ciphers.increment([cipher.name]) }
            if let group = connection.group { groups.increment([group.name]) }
        }
        for finding in connection.findings {
            findings.increment([finding.id.rawValue, finding.severity.name])
        }
    }

    /// Brings the traffic counters and host gauges up to a snapshot (at each scrape).
    public func update(from snapshot: Snapshot) {
        traffic.update(from: snapshot.statistics)
        hostGauges.withLock { $0.update(from: snapshot.hosts, top: topHosts, registry: registry) }
    }

    /// The text exposition format, version 0.0.4.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// One counter family with a fixed label list; new label values past the limit become `other`.
final class LabeledCounters: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let labels: [String]
    private let limit: Int
    private let counters = Mutex<[[String]: Counter]>([:])
    private let seenValues: Mutex<[Set<String>]>

    init(registry: PrometheusCollectorRegistry, name: String, help: String, labels: [String], limit: Int) {
        self.registry = registry
        self.name = name
        self.help = help
        self.labels = labels
        self.limit = limit
        self.seenValues = Mutex(Array(repeating: [], count: labels.count))
    }

    func increment(_ values: [String]) { counter(for: values).increment() }

    /// Registers the series at zero.
    func create(_ values: [String]) { _ = counter(for: values) }

    private func counter(for values: [String]) -> Counter {
        // Each label keeps its first `limit` distinct values; later ones are folded into "other".
        let bounded = seenValues.withLock { seen in
            values.enumerated().map { index, value in
                if seen[index].contains(value) { return value }
                guard seen[index].count < limit else { return "other" }
                seen[index].insert(value)
                return value
            }
        }
        return counters.withLock { counters in
            if let existing = counters[bounded] { return existing }
            let created = registry.counter(name: name, labels: Array(zip(labels, bounded)), help: help)
            counters[bounded] = created
            return created
        }
    }
}

/// Counters that mirror the tracker's own monotonic counts: each update adds what grew since the last.
final class TrafficCounters: Sendable {
    private struct Mirror {
        let counter: Counter
        let value: @Sendable (TrafficStatistics) -> Int
        var last = 0
    }

    private let mirrors: Mutex<[Mirror]>
    private let active: Gauge

    init(registry: PrometheusCollectorRegistry) {
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
            labels.isEmpty
                ? registry.counter(name: name, help: help)
                : registry.counter(name: name, labels: labels, help: help)
        }
        let drops = "Packets lost before tlstop saw them, by where (kernel buffer, interface)."
        let errors = "Packets that could not be decoded, by reason."
        let ended = "Connections that left the flow table, by reason (expired when idle or closed, evicted when full)."
        let attempts = "TCP flows that ended without carrying payload, by outcome (refused: the server reset them)."
        mirrors = Mutex([
            Mirror(counter: counter("tlstop_packets_total", "Packets read."), value: { $0.packets }),
            Mirror(counter: counter("tlstop_bytes_total", "Bytes on the wire read."), value: { $0.bytes }),
            Mirror(
                counter: counter("tlstop_dropped_packets_total", drops, [("where", "kernel")]),
                value: { $0.kernelDropped ?? 0 }),
            Mirror(
                counter: counter("tlstop_dropped_packets_total", drops, [("where", "interface")]),
                value: { $0.interfaceDropped ?? 0 }),
            Mirror(
                counter: counter("tlstop_packet_errors_total", errors, [("reason", "truncated")]),
                value: { $0.truncatedPackets }),
            Mirror(
                counter: counter("tlstop_packet_errors_total", errors, [("reason", "malformed")]),
                value: { $0.malformedPackets }),
            Mirror(
                counter: counter("tlstop_flows_total", "Connections and UDP flows seen, classified or not."),
                value: { $0.connections }),
            Mirror(
                counter: counter("tlstop_ended_flows_total", ended, [("reason", "expired")]),
                value: { $0.expiredConnections }),
            Mirror(
                counter: counter("tlstop_ended_flows_total", ended, [("reason", "evicted")]),
                value: { $0.evictedConnections }),
            // TCP flows that never carried payload: a SYN flood or a scan shows here, not as connections.
            Mirror(
                counter: counter("tlstop_attempts_total", attempts, [("outcome", "unanswered_or_idle")]),
                value: { $0.endedAttempts - $0.refusedAttempts }),
            Mirror(
                counter: counter("tlstop_attempts_total", attempts, [("outcome", "refused")]),
                value: { $0.refusedAttempts }),
        ])
        active = registry.gauge(name: "tlstop_active_flows", help: "Connections and flows in the flow table now.")
    }

    func update(from statistics: TrafficStatistics) {
        mirrors.withLock { mirrors in
            for index in mirrors.indices {
                let now = mirrors[index].value(statistics)
                if now > mirrors[index].last {
                    mirrors[index].counter.increment(by: Int64(now - mirrors[index].last))
                    mirrors[index].last = now
                }
            }
        }
        active.set(Double(statistics.activeConnections))
    }
}

/// Gauges for the busiest hosts only; a host that leaves the top list loses its series.
struct HostGauges {
    private struct Key: Hashable {
        let host: String
        let port: Int
    }

    private struct Gauges {
        let connections: Gauge
        let plaintext: Gauge
        let severity: Gauge
    }

    private var shown: [Key: Gauges] = [:]

    mutating func update(from hosts: [HostSnapshot], top: Int, registry: PrometheusCollectorRegistry) {
        let busiest = hosts.sorted {
            $0.connections != $1.connections
                ? $0.connections > $1.connections
                : ($0.host, $0.port) < ($1.host, $1.port)
        }.prefix(top)
        var keep: Set<Key> = []
        for host in busiest {
            let key = Key(host: host.host, port: host.port)
            keep.insert(key)
            let gauges =
                shown[key]
                ?? {
                    let labels = [("host", host.host), ("port", String(host.port))]
                    let made = Gauges(
                        connections: registry.gauge(
                            name: "tlstop_host_connections", labels: labels,
                            help: "Connections to one of the busiest hosts (server name or address, and port)."),
                        plaintext: registry.gauge(
                            name: "tlstop_host_plaintext_connections", labels: labels,
                            help: "Connections in clear to one of the busiest hosts."),
                        severity: registry.gauge(
                            name: "tlstop_host_severity", labels: labels,
                            help:
                                "Worst finding severity on one of the busiest hosts: 0 ok, 1 info, 2 warn, 3 critical.")
                    )
                    shown[key] = made
                    return made
                }()
            gauges.connections.set(Double(host.connections))
            gauges.plaintext.set(Double(host.plaintextConnections))
            gauges.severity.set(Double(host.severity.rawValue))
        }
        for (key, gauges) in shown where !keep.contains(key) {
            registry.unregisterGauge(gauges.connections)
            registry.unregisterGauge(gauges.plaintext)
            registry.unregisterGauge(gauges.severity)
            shown[key] = nil
        }
    }
}

extension PrometheusCollectorRegistry {
    /// tlstop's metric names already end in their unit (`_total`, `_seconds`): each is given whole
    /// as the descriptor's name, with no unit appended.
    fileprivate func counter(name: String, labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    fileprivate func gauge(name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
