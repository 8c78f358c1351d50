/// The JSON form of a snapshot: the `tlstop.snapshot/1` contract described in docs/snapshot-schema.md.
extension Snapshot {
    public func jsonValue() -> JSONValue {
        .object([
            ("schema", .string(Snapshot.schema)),
            ("generated_at", .string(generatedAt.rfc3339)),
            ("policy", .string(policy)),
            ("process_attribution", .string(processAttribution)),
            (
                "source",
                .object([
                    ("kind", .string(source.kind)), ("name", .string(source.name)),
                    ("link_type", .string(source.linkType)), ("filter", .string(source.filter)),
                ])
            ),
            ("stats", statistics.jsonValue(first: firstPacket, last: lastPacket)),
            ("connections", .array(connections.map { $0.jsonValue() })),
            ("hosts", .array(hosts.map { $0.jsonValue() })),
        ])
    }

    public func json() -> String { jsonValue().serialized() }
}

extension TrafficStatistics {
    func jsonValue(first: Timestamp?, last: Timestamp?) -> JSONValue {
        .object([
            ("packets", .int(packets)), ("bytes", .int(bytes)), ("connections", .int(connections)),
            ("tcp_packets", .int(tcpPackets)), ("udp_packets", .int(udpPackets)), ("esp_packets", .int(espPackets)),
            ("non_ip_packets", .int(nonIPPackets)), ("other_transport_packets", .int(otherTransportPackets)),
            ("ip_fragments", .int(fragments)), ("truncated_packets", .int(truncatedPackets)),
            ("malformed_packets", .int(malformedPackets)), ("untracked_connections", .int(untrackedConnections)),
            ("active_connections", .int(activeConnections)), ("expired_connections", .int(expiredConnections)),
            ("evicted_connections", .int(evictedConnections)), ("folded_connections", .int(foldedConnections)),
            ("evicted_hosts", .int(evictedHosts)), ("evicted_host_connections", .int(evictedHostConnections)),
            ("reassembly_overflows", .int(reassemblyOverflows)), ("handshake_limit_hits", .int(handshakeLimitHits)),
            ("truncated_fields", .int(truncatedFields)),
            ("kernel_received", .int(kernelReceived)), ("kernel_dropped", .int(kernelDropped)),
            ("interface_dropped", .int(interfaceDropped)),
            ("first_packet", .string(first?.rfc3339)), ("last_packet", .string(last?.rfc3339)),
        ])
    }
}

extension ConnectionRecord {
    public func jsonValue() -> JSONValue {
        .object([
            ("id", .int(id)),
            ("client_ip", .string(client.address.description)), ("client_port", .int(Int(client.port))),
            ("server_ip", .string(server.address.description)), ("server_port", .int(Int(server.port))),
            ("transport", .string(transport.name)), ("protocol", .string(self.protocol.name)),
            ("app", .string(application?.rawValue)),
            ("version", .string(version?.name)), ("cipher", .string(cipher?.name)), ("group", .string(group?.name)),
            ("dh_bits", .int(dhBits)), ("sni", .string(sni)), ("alpn", .string(alpn)),
            ("established", .bool(established)), ("resumed", .bool(resumed)),
            ("hello_retry_request", .bool(helloRetryRequest)),
            ("starttls", .string(startTLS?.rawValue)), ("starttls_offered", .bool(startTLSOffered)),
            ("starttls_requested", .bool(startTLSRequested)), ("starttls_refused", .bool(startTLSRefused)),
            ("starttls_used", .bool(startTLSUsed)),
            ("cleartext_credentials", .bool(cleartextCredentials)),
            ("credential_mechanism", .string(credentialMechanism)),
            ("plaintext_on_tls_port", .bool(plaintextOnTLSPort)), ("tls_on_plaintext_port", .bool(tlsOnPlaintextPort)),
            ("encrypted", .bool(isEncrypted)), ("quic_version", .string(quicVersion?.name)),
            ("quic_auth_failures", .int(quicAuthenticationFailures)),
            ("ja4", .string(ja4)), ("ja3", .string(ja3)), ("ja3s", .string(ja3s)),
            ("direction", .string(direction?.rawValue)), ("local_process", localProcess?.jsonValue() ?? .null),
            ("pfs", .bool(pfs)), ("pq", .bool(pq)), ("pq_offered", .bool(pqOffered)),
            ("severity", .string(severity.name)),
            ("findings", .array(findings.map { $0.jsonValue() })),
            ("client_certificate", .bool(clientCertificate)),
            ("alert", .string(alert?.summary)), ("violation", .string(violation)),
            ("cert", certificate?.jsonValue() ?? .null), ("cert_error", .string(certificateError)),
            ("client_offer", clientOffer?.jsonValue() ?? .null),
            ("packets", .int(packets)), ("bytes", .int(bytes)),
            ("first_seen", .string(firstSeen.rfc3339)), ("last_seen", .string(lastSeen.rfc3339)),
            ("closed", .bool(closed)), ("gap", .bool(gap)),
        ])
    }
}

extension CertificateRecord {
    func jsonValue() -> JSONValue {
        .object([
            ("subject", .string(subject)), ("issuer", .string(issuer)), ("common_name", .string(commonName)),
            ("sans", .array(subjectAltNames.map { .string($0) })),
            ("not_before", .string(notBefore.rfc3339)), ("not_after", .string(notAfter.rfc3339)),
            ("serial", .string(serialNumber)), ("key_type", .string(keyType)), ("key_bits", .int(keyBits)),
            ("curve", .string(curve)), ("signature_algorithm", .string(signatureAlgorithm)),
            ("self_signed", .bool(isSelfSigned)), ("chain_length", .int(chainLength)),
            ("covers_sni", .bool(coversServerName)),
        ])
    }
}

extension ClientOffer {
    func jsonValue() -> JSONValue {
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        func names(_ values: [some TLSCodePoint]) -> JSONValue { .array(values.map { .string($0.name) }) }
        return .object([
            ("versions", names(versions)), ("cipher_suites", names(cipherSuites)), ("groups", names(groups)),
            ("key_share_groups", names(keyShareGroups)), ("signature_algorithms", names(signatureAlgorithms)),
            ("alpn", strings(alpn)), ("session_resumption", .bool(sessionResumption)),
            ("encrypted_client_hello", .bool(encryptedClientHello)), ("sslv2_format", .bool(sslv2Format)),
        ])
    }
}

extension HostSnapshot {
    func jsonValue() -> JSONValue {
        func counts<Key>(_ values: [Key: Int], _ name: (Key) -> String) -> JSONValue {
            // Most frequent first, then by name, so the order is stable.
            .object(
                values.map { (name($0.key), $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                    .map { ($0.0, .int($0.1)) })
        }
        return .object([
            ("host", .string(host)), ("port", .int(port)),
            ("addresses", .array(addresses.map { .string($0.description) })),
            ("grade", .string(grade?.name)), ("grade_reason", .string(gradeReason)),
            ("severity", .string(severity.name)), ("finding_counts", counts(findingCounts, \.rawValue)),
            ("worst_finding", .string(worstFinding?.rawValue)), ("services", counts(services, { $0 })),
            ("pfs_connections", .int(pfsConnections)),
            ("pq_connections", .int(pqConnections)),
            ("connections", .int(connections)), ("clients", .int(clients)),
            ("protocols", counts(protocols, \.name)), ("versions", counts(versions, \.name)),
            ("ciphers", counts(ciphers, \.name)), ("groups", counts(groups, \.name)),
            ("apps", counts(applications, \.rawValue)),
            ("encrypted_connections", .int(encryptedConnections)),
            ("plaintext_connections", .int(plaintextConnections)),
            ("unknown_connections", .int(unknownConnections)), ("encrypted_bytes", .int(encryptedBytes)),
            ("plaintext_bytes", .int(plaintextBytes)), ("unknown_bytes", .int(unknownBytes)),
            ("cleartext_credential_connections", .int(cleartextCredentialConnections)),
            ("packets", .int(packets)), ("bytes", .int(bytes)),
            ("first_seen", .string(firstSeen.rfc3339)), ("last_seen", .string(lastSeen.rfc3339)),
        ])
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

extension Finding {
    func jsonValue() -> JSONValue {
        .object([
            ("id", .string(id.rawValue)), ("severity", .string(severity.name)), ("detail", .string(detail)),
            ("explanation", .string(id.explanation)), ("reference", .string(id.reference)),
        ])
    }
}
