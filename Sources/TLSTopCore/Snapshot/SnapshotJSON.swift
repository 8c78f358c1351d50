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

extension ConnectionSnapshot {
    public func jsonValue() -> JSONValue {
        .object([
            ("id", .int(id)),
            ("client_ip", .string(clientIP)), ("client_port", .int(clientPort)),
            ("server_ip", .string(serverIP)), ("server_port", .int(serverPort)),
            ("transport", .string(transport)), ("protocol", .string(self.protocol)), ("app", .string(application)),
            ("version", .string(version)), ("cipher", .string(cipher)), ("group", .string(group)),
            ("dh_bits", .int(dhBits)), ("sni", .string(sni)), ("alpn", .string(alpn)),
            ("established", .bool(established)), ("resumed", .bool(resumed)),
            ("hello_retry_request", .bool(helloRetryRequest)),
            ("starttls", .string(startTLS)), ("starttls_offered", .bool(startTLSOffered)),
            ("starttls_requested", .bool(startTLSRequested)), ("starttls_refused", .bool(startTLSRefused)),
            ("starttls_used", .bool(startTLSUsed)),
            ("cleartext_credentials", .bool(cleartextCredentials)),
            ("credential_mechanism", .string(credentialMechanism)),
            ("plaintext_on_tls_port", .bool(plaintextOnTLSPort)), ("tls_on_plaintext_port", .bool(tlsOnPlaintextPort)),
            ("encrypted", .bool(isEncrypted)), ("quic_version", .string(quicVersion)),
            ("quic_auth_failures", .int(quicAuthenticationFailures)),
            ("ja4", .string(ja4)), ("ja3", .string(ja3)), ("ja3s", .string(ja3s)),
            ("direction", .string(direction)), ("local_process", localProcess?.jsonValue() ?? .null),
            ("pfs", .bool(pfs)), ("pq", .bool(pq)), ("pq_offered", .bool(pqOffered)),
            ("severity", .string(severity.name)),
            ("findings", .array(findings.map { $0.jsonValue() })),
            ("client_certificate", .bool(clientCertificate)),
            ("alert", .string(alert)), ("violation", .string(violation)),
            ("cert", certificate?.jsonValue() ?? .null), ("cert_error", .string(certificateError)),
            ("client_offer", clientOffer?.jsonValue() ?? .null),
            ("packets", .int(packets)), ("bytes", .int(bytes)),
            ("first_seen", .string(firstSeen.rfc3339)), ("last_seen", .string(lastSeen.rfc3339)),
            ("closed", .bool(closed)), ("gap", .bool(gap)),
        ])
    }
}

extension CertificateSnapshot {
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

extension ClientOfferSnapshot {
    func jsonValue() -> JSONValue {
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        return .object([
            ("versions", strings(versions)), ("cipher_suites", strings(cipherSuites)), ("groups", strings(groups)),
            ("key_share_groups", strings(keyShareGroups)), ("signature_algorithms", strings(signatureAlgorithms)),
            ("alpn", strings(alpn)), ("session_resumption", .bool(sessionResumption)),
            ("encrypted_client_hello", .bool(encryptedClientHello)), ("sslv2_format", .bool(sslv2Format)),
        ])
    }
}

extension HostSnapshot {
    func jsonValue() -> JSONValue {
        func counts(_ values: [String: Int]) -> JSONValue {
            // Most frequent first, then by name, so the order is stable.
            .object(
                values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { ($0.key, .int($0.value)) })
        }
        return .object([
            ("host", .string(host)), ("port", .int(port)), ("addresses", .array(addresses.map { .string($0) })),
            ("grade", .string(grade?.name)), ("grade_reason", .string(gradeReason)),
            ("severity", .string(severity.name)), ("finding_counts", counts(findingCounts)),
            ("worst_finding", .string(worstFinding)), ("services", counts(services)),
            ("pfs_connections", .int(pfsConnections)),
            ("pq_connections", .int(pqConnections)),
            ("connections", .int(connections)), ("clients", .int(clients)),
            ("protocols", counts(protocols)), ("versions", counts(versions)), ("ciphers", counts(ciphers)),
            ("groups", counts(groups)), ("apps", counts(applications)),
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
