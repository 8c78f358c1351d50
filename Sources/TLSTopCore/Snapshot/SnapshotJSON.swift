/// The JSON form of a snapshot: the `tlstop.snapshot/2` contract described in
/// docs/snapshot-schema.md. Written straight from the records into a buffered sink, one
/// connection or host per line.
extension Snapshot {
    /// Writes the whole document to `sink`, in pieces of about `flushSize` bytes.
    public func writeJSON(flushSize: Int = 1 << 18, to sink: @escaping JSONStreamWriter.Sink) throws {
        var out = JSONStreamWriter(flushSize: flushSize, sink: sink)
        try write(to: &out)
        try out.flush()
    }

    /// The whole document as text (tests and small snapshots; exports use `writeJSON`).
    public func json() -> String {
        JSONStreamWriter.text { out in try? write(to: &out) }
    }

    /// The document with connection lines rendered in blocks of `linesPerBlock` (tests: the
    /// parallel rendering must give the text the serial one gives).
    /// - Parameter halvingAt: see `DistinctValues`.
    func json(linesPerBlock: Int, halvingAt: Int = DistinctValues.halvingThreshold) -> String {
        JSONStreamWriter.text { out in try? write(to: &out, linesPerBlock: linesPerBlock, halvingAt: halvingAt) }
    }

    private func write(
        to out: inout JSONStreamWriter, linesPerBlock: Int = Snapshot.connectionLinesPerBlock,
        halvingAt: Int = DistinctValues.halvingThreshold
    ) throws {
        out.beginObject()
        out.newline(indent: 2)
        out.field("schema", Snapshot.schema)
        out.newline(indent: 2)
        out.field("generated_at", generatedAt)
        out.newline(indent: 2)
        out.field("policy", policy)
        out.newline(indent: 2)
        out.field("process_attribution", processAttribution)
        out.newline(indent: 2)
        out.key("source")
        out.beginObject()
        out.field("kind", source.kind)
        out.field("name", source.name)
        out.field("link_type", source.linkType)
        out.field("filter", source.filter)
        try out.endObject()
        out.newline(indent: 2)
        out.key("stats")
        try statistics.write(to: &out, first: firstPacket, last: lastPacket)
        out.newline(indent: 2)
        out.key("totals")
        try totals.write(to: &out)
        out.newline(indent: 2)
        out.key("findings_catalogue")
        try writeFindingsCatalogue(to: &out)
        // Distinct leaf certificates and client offers, each written once: a busy server's
        // connections share a handful of each, and they were most of every connection's size.
        let distinct = DistinctValues(of: connections, halvingAt: halvingAt)
        try Self.writeLines("certificates", distinct.certificates.values, to: &out) { try $0.write(to: &$1) }
        try Self.writeLines("client_offers", distinct.offers.values, to: &out) { try $0.write(to: &$1) }
        try writeConnectionLines(references: distinct.references, linesPerBlock: linesPerBlock, to: &out)
        try Self.writeLines("hosts", hosts, to: &out) { try $0.write(to: &$1) }
        out.lineBreak(indent: 0)
        try out.endObject()
        out.lineBreak(indent: 0)
    }

    /// A top-level member holding an array, one element per line.
    private static func writeLines<Element>(
        _ key: StaticString, _ elements: [Element], to out: inout JSONStreamWriter,
        _ write: (Element, inout JSONStreamWriter) throws -> Void
    ) throws {
        out.newline(indent: 2)
        out.key(key)
        out.beginArray()
        for element in elements {
            out.newline(indent: 4)
            try write(element, &out)
        }
        if !elements.isEmpty { out.lineBreak(indent: 2) }
        try out.endArray()
    }

    /// What each finding id means, once per document instead of once per connection: every id
    /// that a connection or host row carries, in id order.
    private func writeFindingsCatalogue(to out: inout JSONStreamWriter) throws {
        // Catalogue ids as bits (a connection's findings were hashed into a set one by one, a tenth
        // of an export), anything else (a policy file's own id) in a set.
        var known: UInt64 = 0
        var others = Set<FindingID>()
        func note(_ id: FindingID) {
            if id.index < 64 { known |= 1 << UInt64(id.index) } else { others.insert(id) }
        }
        for id in totals.findings.keys { note(id) }
        for host in hosts { for id in host.findingCounts.keys { note(id) } }
        for index in connections.indices {
            for finding in connections[index].findings { note(finding.id) }
            for verdict in connections[index].otherVerdicts { for finding in verdict.findings { note(finding.id) } }
        }
        let ids = FindingID.all.filter { $0.index < 64 && known & (1 << UInt64($0.index)) != 0 } + others
        out.beginObject()
        for id in ids.sorted() {
            out.newline(indent: 4)
            out.key(escaping: id.rawValue)
            out.beginObject()
            out.field("explanation", id.explanation)
            out.field("reference", reference(of: id))
            try out.endObject()
        }
        if !ids.isEmpty { out.lineBreak(indent: 2) }
        try out.endObject()
    }
}

extension TrafficStatistics {
    func write(to out: inout JSONStreamWriter, first: Timestamp?, last: Timestamp?) throws {
        let counts: [(StaticString, Int)] = [
            ("packets", packets), ("bytes", bytes), ("connections", connections),
            ("attempts", endedAttempts), ("refused_attempts", refusedAttempts),
            ("evicted_attempts", evictedAttempts), ("active_attempts", activeAttempts),
            ("tcp_packets", tcpPackets), ("udp_packets", udpPackets), ("esp_packets", espPackets),
            ("non_ip_packets", nonIPPackets), ("other_transport_packets", otherTransportPackets),
            ("ip_fragments", fragments), ("truncated_packets", truncatedPackets),
            ("malformed_packets", malformedPackets), ("untracked_connections", untrackedConnections),
            ("active_connections", activeConnections), ("expired_connections", expiredConnections),
            ("evicted_connections", evictedConnections), ("folded_connections", foldedConnections),
            ("evicted_hosts", evictedHosts), ("evicted_host_connections", evictedHostConnections),
            ("reassembly_overflows", reassemblyOverflows), ("handshake_limit_hits", handshakeLimitHits),
            ("truncated_fields", truncatedFields),
        ]
        out.beginObject()
        for (name, value) in counts {
            out.key(name)
            out.int(value)
        }
        if !violations.isEmpty {
            // Only when there are some: most captures have none, and goldens stay as they were.
            out.key("violations")
            out.beginObject()
            for code in Violation.Code.allCases {
                guard let count = violations[code] else { continue }
                out.key(escaping: code.rawValue)
                out.int(count)
            }
            try out.endObject()
        }
        if let probes {
            out.key("probes")
            out.beginObject()
            out.member("probes", probes.probes)
            out.member("certificates", probes.certificates)
            out.member("failures", probes.failures)
            out.member("skipped", probes.skipped)
            out.member("last_failure", probes.lastFailure)
            out.member("own_packets", probePackets)
            try out.endObject()
        }
        if let keyLog {
            out.key("keylog")
            out.beginObject()
            let use: [(StaticString, Int)] = [
                ("secrets", keyLog.secrets), ("malformed_lines", keyLog.malformedLines),
                ("decrypted_handshakes", keyLog.decryptedHandshakes), ("missing_secrets", keyLog.missingSecrets),
                ("decryption_failures", keyLog.decryptionFailures),
            ]
            for (name, value) in use {
                out.key(name)
                out.int(value)
            }
            try out.endObject()
        }
        out.field("kernel_received", kernelReceived)
        out.field("kernel_dropped", kernelDropped)
        out.field("interface_dropped", interfaceDropped)
        out.field("first_packet", first)
        out.field("last_packet", last)
        try out.endObject()
    }
}

extension ConnectionTotals {
    func write(to out: inout JSONStreamWriter) throws {
        out.beginObject()
        out.field("connections", connections)
        out.field("attempts", attempts)
        out.field("refused_attempts", refusedAttempts)
        out.field("encrypted", encrypted)
        out.field("plaintext", plaintext)
        out.field("unknown", unknown)
        out.field("cleartext_credentials", cleartextCredentials)
        out.field("tls_family", tlsFamily)
        out.field("pfs", pfs)
        out.field("pq", pq)
        out.field("pq_missed", pqMissed)
        out.field("tls13", tls13)
        out.field("tls13_certificates", tls13Certificates)
        try writeBreakdowns(protocols, versions, ciphers, groups, to: &out)
        out.key("severities")
        try writeCounts(severities, \.name, to: &out)
        out.key("findings")
        try writeCounts(findings, \.rawValue, to: &out)
        try out.endObject()
    }
}

/// The breakdowns totals and host rows share: by protocol, version, suite and group.
func writeBreakdowns(
    _ protocols: [ConnectionProtocol: Int], _ versions: [ProtocolVersion: Int], _ ciphers: [CipherSuite: Int],
    _ groups: [NamedGroup: Int], to out: inout JSONStreamWriter
) throws {
    out.key("protocols")
    try writeCounts(protocols, \.name, to: &out)
    out.key("versions")
    try writeCounts(versions, \.name, to: &out)
    out.key("ciphers")
    try writeCounts(ciphers, \.name, to: &out)
    out.key("groups")
    try writeCounts(groups, \.name, to: &out)
}

/// Counts by name, most frequent first, then by name, so the order is stable.
func writeCounts<Key>(_ values: [Key: Int], _ name: (Key) -> String, to out: inout JSONStreamWriter) throws {
    out.beginObject()
    let named = values.map { (name($0.key), $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    for (key, count) in named {
        out.key(escaping: key)
        out.int(count)
    }
    try out.endObject()
}

extension ConnectionRecord {
    /// `verdicts`: the findings under each policy after the first, with the rule each cites there.
    private func writeVerdicts(to out: inout JSONStreamWriter, policies: [Policy]) throws {
        out.key("verdicts")
        out.beginArray()
        for verdict in otherVerdicts {
            let policy = policies.first { $0.name == verdict.policy }
            out.beginObject()
            out.member("policy", verdict.policy)
            out.member("severity", verdict.severity.name)
            out.key("findings")
            out.beginArray()
            for finding in verdict.findings {
                out.beginObject()
                out.member("id", finding.id.rawValue)
                out.member("severity", finding.severity.name)
                out.member("detail", finding.detail)
                out.member("reference", policy?.reference(of: finding.id) ?? finding.id.reference)
                try out.endObject()
            }
            try out.endArray()
            try out.endObject()
        }
        try out.endArray()
    }

    /// One connection; members with no value are left out. `cert` and `client_offer` are
    /// positions in the document's `certificates` and `client_offers`.
    /// - Parameter policies: the snapshot's; the second and later name the citations of
    ///   `otherVerdicts`' findings.
    func write(to out: inout JSONStreamWriter, certificate: Int?, offer: Int?, policies: [Policy]) throws {
        out.beginObject()
        out.member("id", id)
        out.member("client_ip", client.address)
        out.member("client_port", Int(client.port))
        out.member("server_ip", server.address)
        out.member("server_port", Int(server.port))
        out.member("transport", transport.name)
        out.member("protocol", self.protocol.name)
        out.member("app", application?.rawValue)
        out.member("version", version?.name)
        out.member("cipher", cipher?.name)
        out.member("group", group?.name)
        out.member("kex", keyExchange?.rawValue)
        out.member("dh_bits", dhBits)
        out.member("sni", sni)
        out.member("alpn", alpn)
        out.member("established", established)
        out.member("resumed", resumed)
        // Flags that are rarely true are written only when they are: absent means false.
        out.member("hello_retry_request", helloRetryRequest ? true : nil)
        if startTLS != nil || startTLSOffered {
            out.key("starttls")
            out.beginObject()
            out.member("protocol", startTLS?.rawValue)
            out.member("offered", startTLSOffered)
            out.member("requested", startTLSRequested)
            out.member("refused", startTLSRefused)
            out.member("used", startTLSUsed)
            try out.endObject()
        }
        out.member("cleartext_credentials", cleartextCredentials ? true : nil)
        out.member("credential_mechanism", credentialMechanism)
        out.member("plaintext_on_tls_port", plaintextOnTLSPort ? true : nil)
        out.member("tls_on_plaintext_port", tlsOnPlaintextPort ? true : nil)
        out.member("encrypted", isEncrypted)
        if let tunnel {
            out.member("tunnel", tunnel.kind.rawValue)
            out.member("tunnel_target", tunnel.target)
            out.member("rdp_security", tunnel.rdpSecurity?.rawValue)
        }
        out.member("quic_version", quicVersion?.name)
        out.member("user_agent", googleQUIC?.userAgent)
        out.member("quic_auth_failures", quicAuthenticationFailures)
        out.member("ja4", ja4)
        out.member("ja3", ja3)
        out.member("ja3s", ja3s)
        out.member("direction", direction?.rawValue)
        if let localProcess {
            out.key("local_process")
            out.value(localProcess.jsonValue())
        }
        out.member("pfs", pfs)
        out.member("pq", pq)
        out.member("pq_offered", pqOffered)
        out.member("pq_missed", pqMissed)
        out.member("severity", severity.name)
        out.key("findings")
        out.beginArray()
        for finding in findings {
            // The explanation and reference are in the document's findings_catalogue.
            out.beginObject()
            out.member("id", finding.id.rawValue)
            out.member("severity", finding.severity.name)
            out.member("detail", finding.detail)
            try out.endObject()
        }
        try out.endArray()
        if !otherVerdicts.isEmpty { try writeVerdicts(to: &out, policies: policies) }
        out.member("client_certificate", clientCertificate ? true : nil)
        out.member("alert", alert?.summary)
        out.member("violation", violation?.description)
        out.member("cert", certificate)
        out.member("cert_chain_length", self.certificate?.chainLength)
        out.member("cert_covers_sni", self.certificate?.coversServerName)
        out.member("cert_error", certificateError)
        if self.protocol.isTLSFamily {
            // Present (null when unknown) on every TLS connection: TLS 1.3 hides the certificate.
            out.field("cert_source", certificateSource?.rawValue)
            out.member("cert_signature_scheme", self.certificate?.signatureScheme?.name)
            out.field("pq_auth", pqAuthentication)
            if let probe = self.certificate?.probe {
                out.key("cert_probe")
                out.beginObject()
                out.member("address", probe.endpoint.address.description)
                out.member("port", Int(probe.endpoint.port))
                out.member("sni", probe.serverName)
                out.member("at", probe.at)
                try out.endObject()
            }
        }
        out.member("client_offer", offer)
        out.member("packets", packets)
        out.member("bytes", bytes)
        out.member("first_seen", firstSeen)
        out.member("last_seen", lastSeen)
        out.member("closed", closed)
        out.member("gap", gap)
        try out.endObject()
    }
}

extension CertificateFacts {
    func write(to out: inout JSONStreamWriter) throws {
        out.beginObject()
        out.field("subject", subject)
        out.field("issuer", issuer)
        out.field("common_name", commonName)
        out.key("sans")
        out.beginArray()
        for name in subjectAltNames { out.string(name) }
        try out.endArray()
        out.field("not_before", Timestamp(notBefore))
        out.field("not_after", Timestamp(notAfter))
        out.field("serial", serialNumber)
        out.field("key_type", keyType)
        out.field("key_bits", keyBits)
        out.field("curve", curve)
        out.field("signature_algorithm", signatureAlgorithm)
        out.field("self_signed", isSelfSigned)
        try out.endObject()
    }
}

extension ClientOffer {
    func write(to out: inout JSONStreamWriter) throws {
        func names(_ values: some Sequence<some TLSCodePoint>, _ out: inout JSONStreamWriter) throws {
            out.beginArray()
            for value in values { out.string(value.name) }
            try out.endArray()
        }
        out.beginObject()
        out.key("versions")
        try names(versions, &out)
        out.key("cipher_suites")
        try names(cipherSuites, &out)
        out.key("groups")
        try names(groups, &out)
        out.key("key_share_groups")
        try names(keyShareGroups, &out)
        out.key("signature_algorithms")
        try names(signatureAlgorithms, &out)
        out.key("alpn")
        out.beginArray()
        for name in alpn { out.string(name) }
        try out.endArray()
        out.field("session_resumption", sessionResumption)
        out.field("encrypted_client_hello", encryptedClientHello)
        out.key("sslv2_format")
        out.bool(sslv2Format)
        try out.endObject()
    }
}

extension HostSnapshot {
    func write(to out: inout JSONStreamWriter) throws {
        out.beginObject()
        out.field("host", host)
        out.field("port", port)
        out.key("addresses")
        out.beginArray()
        for address in addresses { out.string(address.description) }
        try out.endArray()
        out.field("grade", grade?.name)
        out.field("grade_reason", gradeReason)
        out.field("severity", severity.name)
        out.key("finding_counts")
        try writeCounts(findingCounts, \.rawValue, to: &out)
        out.field("worst_finding", worstFinding?.rawValue)
        out.key("services")
        try writeCounts(services, { $0 }, to: &out)
        out.field("tls_connections", tlsConnections)
        out.field("pfs_connections", pfsConnections)
        out.field("pq_connections", pqConnections)
        out.field("pq_missed_connections", pqMissedConnections)
        out.field("connections", connections)
        out.field("attempts", attempts)
        out.field("refused_attempts", refusedAttempts)
        out.field("clients", clients)
        try writeBreakdowns(protocols, versions, ciphers, groups, to: &out)
        out.key("apps")
        try writeCounts(applications, \.rawValue, to: &out)
        let counts: [(StaticString, Int)] = [
            ("encrypted_connections", encryptedConnections), ("plaintext_connections", plaintextConnections),
            ("unknown_connections", unknownConnections), ("encrypted_bytes", encryptedBytes),
            ("plaintext_bytes", plaintextBytes), ("unknown_bytes", unknownBytes),
            ("cleartext_credential_connections", cleartextCredentialConnections), ("packets", packets),
            ("bytes", bytes),
        ]
        for (name, value) in counts {
            out.key(name)
            out.int(value)
        }
        out.field("first_seen", firstSeen)
        out.field("last_seen", lastSeen)
        try out.endObject()
    }
}

extension LocalProcess {
    func jsonValue() -> JSONValue {
        .object([
            ("pid", .int(pid)), ("name", .string(name)), ("user", .string(user)), ("unit", .string(unit)),
            ("state", .string(state.rawValue)),
        ])
    }
}
