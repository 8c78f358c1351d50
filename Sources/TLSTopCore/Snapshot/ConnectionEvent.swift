/// The event stream's lines (`--log`): one document when a connection is classified and one per
/// finding on it, in Elastic Common Schema names where ECS has them (so Filebeat, Vector,
/// Logstash and Elasticsearch take them as they are) and under `tlstop.*` for the rest.
///
/// Absent facts are left out rather than written as null, as ECS documents do. The field list is
/// the contract in docs/event-schema.json.
public enum ConnectionEvent {
    /// The ECS release whose field names and types the documents follow.
    public static let ecsVersion = "8.11.0"

    /// Who wrote the event: the same for every line of one run.
    public struct Context: Sendable {
        public var policy: String
        public var observerHostName: String?
        public var version: String
        /// Each finding's citation under the policy (its RFC reference where the policy has none).
        public var references: [FindingID: String] = [:]

        public init(policy: String, observerHostName: String?, version: String) {
            self.policy = policy
            self.observerHostName = observerHostName
            self.version = version
        }

        public init(policy: Policy, observerHostName: String?, version: String) {
            self.init(policy: policy.name, observerHostName: observerHostName, version: version)
            references = Dictionary(uniqueKeysWithValues: FindingID.all.map { ($0, policy.reference(of: $0)) })
        }
    }

    /// The connection's line, then one line per finding (worst first), each a complete document.
    public static func lines(for connection: ConnectionRecord, context: Context) -> [String] {
        var lines = [document(for: connection, finding: nil, context: context).compactJSON()]
        for finding in connection.findings {
            lines.append(document(for: connection, finding: finding, context: context).compactJSON())
        }
        return lines
    }

    /// What `event.action` says happened to the connection.
    public static func action(of connection: ConnectionRecord) -> String {
        switch connection.protocol {
        case .tls, .dtls, .quic, .sslv2: "tls-handshake"
        case .plaintext: "plaintext-connection"
        case .unknown: "connection"
        case .ssh, .wireguard, .esp, .ike, .snmpv3: "encrypted-connection"
        }
    }

    public static func document(for connection: ConnectionRecord, finding: Finding?, context: Context) -> JSONValue {
        let c = connection
        var event = ObjectBuilder()
        event["kind"] = .string(finding == nil ? "event" : "alert")
        event["category"] = .array([.string("network")])
        event["type"] = .array(finding == nil ? [.string("connection"), .string("protocol")] : [.string("info")])
        event["action"] = .string(finding == nil ? action(of: c) : "finding")
        event["dataset"] = .string(finding == nil ? "tlstop.connection" : "tlstop.finding")
        event["module"] = .string("tlstop")
        event["start"] = .string(c.firstSeen.rfc3339)
        if let established = c.established {
            event["outcome"] = .string(established ? "success" : (c.alert != nil ? "failure" : "unknown"))
        }
        if let finding { event["severity"] = .int(finding.severity.rawValue) }

        var document = ObjectBuilder()
        document["@timestamp"] = .string(c.lastSeen.rfc3339)
        document["message"] = .string(finding.map { message(for: $0, on: c) } ?? message(for: c))
        document["ecs"] = .object([("version", .string(ecsVersion))])
        document["event"] = event.value
        let clientIP = c.client.address.description
        let serverIP = c.server.address.description
        document["source"] = endpoint(ip: clientIP, port: c.client.port, domain: nil)
        document["destination"] = endpoint(ip: serverIP, port: c.server.port, domain: c.sni)
        document["related"] = .object([
            ("ip", .array(Array(Set([clientIP, serverIP])).sorted().map { .string($0) }))
        ])
        document["network"] = network(of: c)
        document["tls"] = tls(of: c, isAlert: finding != nil)
        // A live capture: the tracker holds the report until the process lookup has answered.
        if let process = c.localProcess, process.state == .found {
            var fields = ObjectBuilder()
            fields["pid"] = process.pid.map { .int($0) }
            fields["name"] = process.name.map { .string($0) }
            fields["user"] = process.user.map { .object([("name", .string($0))]) }
            document["process"] = fields.value
        }
        if let finding {
            document["rule"] = .object([
                ("id", .string(finding.id.rawValue)), ("name", .string(finding.id.rawValue)),
                ("description", .string(finding.id.explanation)),
                ("ruleset", .string(context.policy)),
            ])
        }
        var observer = ObjectBuilder()
        observer["hostname"] = context.observerHostName.map { .string($0) }
        observer["product"] = .string("tlstop")
        observer["type"] = .string("sensor")
        observer["version"] = .string(context.version)
        document["observer"] = observer.value
        document["tlstop"] = tlstop(of: c, finding: finding, context: context)
        return document.value
    }

    // MARK: - Parts

    private static func endpoint(ip: String, port: UInt16, domain: String?) -> JSONValue {
        var value = ObjectBuilder()
        value["ip"] = .string(ip)
        value["port"] = .int(Int(port))
        value["domain"] = domain.map { .string($0) }
        return value.value
    }

    private static func network(of c: ConnectionRecord) -> JSONValue {
        var value = ObjectBuilder()
        value["transport"] = .string(c.transport.name)
        value["type"] = .string(c.client.address.isIPv4 ? "ipv4" : "ipv6")
        // ECS: the application-layer protocol, lowercase. A STARTTLS session is its application.
        value["protocol"] = .string(c.application?.rawValue ?? c.protocol.name)
        value["direction"] = c.direction.map { .string($0.rawValue) }
        return value.value
    }

    /// An alert line carries what was negotiated, not the whole offer: the connection's own line
    /// has the client's cipher list, which would otherwise be repeated on every finding.
    private static func tls(of c: ConnectionRecord, isAlert: Bool) -> JSONValue? {
        guard c.protocol.isTLSFamily else { return nil }
        var value = ObjectBuilder()
        if let parts = c.version?.ecsParts {
            value["version"] = .string(parts.version)
            value["version_protocol"] = .string(parts.protocol)
        }
        value["cipher"] = c.cipher.map { .string($0.name) }
        value["curve"] = c.group.map { .string($0.name) }
        value["next_protocol"] = c.alpn.map { .string($0) }
        value["established"] = c.established.map { .bool($0) }
        value["resumed"] = c.resumed.map { .bool($0) }
        var client = ObjectBuilder()
        client["server_name"] = c.sni.map { .string($0) }
        if let offer = c.clientOffer, !isAlert {
            client["supported_ciphers"] = .array(offer.cipherSuites.map { .string($0.name) })
        }
        client["ja3"] = c.ja3.map { .string($0) }
        value["client"] = client.value
        var server = ObjectBuilder()
        server["ja3s"] = c.ja3s.map { .string($0) }
        if let certificate = c.certificate {
            var x509 = ObjectBuilder()
            x509["subject"] = distinguishedName(certificate.subject, commonName: certificate.commonName)
            x509["issuer"] = distinguishedName(certificate.issuer, commonName: nil)
            x509["alternative_names"] =
                certificate.subjectAltNames.isEmpty ? nil : .array(certificate.subjectAltNames.map { .string($0) })
            x509["not_before"] = .string(certificate.notBefore.rfc3339)
            x509["not_after"] = .string(certificate.notAfter.rfc3339)
            x509["serial_number"] = .string(certificate.serialNumber)
            x509["public_key_algorithm"] = .string(certificate.keyType)
            x509["public_key_size"] = certificate.keyBits.map { .int($0) }
            x509["public_key_curve"] = certificate.curve.map { .string($0) }
            x509["signature_algorithm"] = .string(certificate.signatureAlgorithm)
            server["not_before"] = .string(certificate.notBefore.rfc3339)
            server["not_after"] = .string(certificate.notAfter.rfc3339)
            server["x509"] = x509.value
        }
        value["server"] = server.value
        return value.value
    }

    private static func distinguishedName(_ name: String, commonName: String?) -> JSONValue {
        var value = ObjectBuilder()
        value["distinguished_name"] = .string(name)
        value["common_name"] = commonName.map { .array([.string($0)]) }
        return value.value
    }

    private static func tlstop(of c: ConnectionRecord, finding: Finding?, context: Context) -> JSONValue {
        var value = ObjectBuilder()
        value["connection_id"] = .int(c.id)
        value["protocol"] = .string(c.protocol.name)
        value["application"] = c.application.map { .string($0.rawValue) }
        value["encrypted"] = c.isEncrypted.map { .bool($0) }
        value["version"] = c.version.map { .string($0.name) }
        value["severity"] = .string(c.severity.name)
        value["findings"] = .array(c.findings.map { .string($0.id.rawValue) })
        value["policy"] = .string(context.policy)
        value["pfs"] = c.pfs.map { .bool($0) }
        value["pq"] = .bool(c.pq)
        value["pq_offered"] = .bool(c.pqOffered)
        value["pq_missed"] = .bool(c.pqMissed)
        value["pq_auth"] = c.pqAuthentication.map { .bool($0) }
        if !c.otherVerdicts.isEmpty {
            value["verdicts"] = .array(
                c.otherVerdicts.map { verdict in
                    .object([
                        ("policy", .string(verdict.policy)), ("severity", .string(verdict.severity.name)),
                        ("findings", .array(verdict.findings.map { .string($0.id.rawValue) })),
                    ])
                })
        }
        value["dh_bits"] = c.dhBits.map { .int($0) }
        value["hello_retry_request"] = .bool(c.helloRetryRequest)
        value["quic_version"] = c.quicVersion.map { .string($0.name) }
        if let tunnel = c.tunnel {
            value["tunnel"] = .string(tunnel.kind.rawValue)
            value["tunnel_target"] = tunnel.target.map { .string($0) }
            value["rdp_security"] = tunnel.rdpSecurity.map { .string($0.rawValue) }
        }
        value["ja4"] = c.ja4.map { .string($0) }
        if let process = c.localProcess {
            var fields = ObjectBuilder()
            fields["state"] = .string(process.state.rawValue)
            fields["unit"] = process.unit.map { .string($0) }
            value["local_process"] = fields.value
        }
        if c.startTLS != nil || c.startTLSOffered {
            var startTLS = ObjectBuilder()
            startTLS["protocol"] = c.startTLS.map { .string($0.rawValue) }
            startTLS["offered"] = .bool(c.startTLSOffered)
            startTLS["requested"] = .bool(c.startTLSRequested)
            startTLS["refused"] = .bool(c.startTLSRefused)
            startTLS["used"] = .bool(c.startTLSUsed)
            value["starttls"] = startTLS.value
        }
        value["cleartext_credentials"] = .bool(c.cleartextCredentials)
        value["credential_mechanism"] = c.credentialMechanism.map { .string($0) }
        value["plaintext_on_tls_port"] = .bool(c.plaintextOnTLSPort)
        value["tls_on_plaintext_port"] = .bool(c.tlsOnPlaintextPort)
        value["client_certificate"] = .bool(c.clientCertificate)
        value["alert"] = c.alert.map { .string($0.summary) }
        value["violation"] = c.violation.map { .string($0.description) }
        if c.certificate != nil || c.certificateError != nil {
            var certificate = ObjectBuilder()
            certificate["self_signed"] = c.certificate.map { .bool($0.isSelfSigned) }
            certificate["chain_length"] = c.certificate.map { .int($0.chainLength) }
            certificate["covers_sni"] = c.certificate?.coversServerName.map { .bool($0) }
            certificate["error"] = c.certificateError.map { .string($0) }
            certificate["source"] = c.certificateSource.map { .string($0.rawValue) }
            certificate["signature_scheme"] = c.certificate?.signatureScheme.map { .string($0.name) }
            value["certificate"] = certificate.value
        }
        value["gap"] = .bool(c.gap)
        if let finding {
            value["finding"] = .object([
                ("id", .string(finding.id.rawValue)), ("severity", .string(finding.severity.name)),
                ("detail", .string(finding.detail)),
                ("reference", .string(context.references[finding.id] ?? finding.id.reference)),
            ])
        }
        return value.value
    }

    private static func message(for c: ConnectionRecord) -> String {
        let peer = "\(c.client.address):\(c.client.port) → \(c.hostName):\(c.server.port)"
        switch action(of: c) {
        case "tls-handshake":
            let what = [c.version?.name, c.cipher?.name, c.group?.name].compactMap { $0 }.joined(separator: " ")
            return "\(c.protocol.name) \(what.isEmpty ? "handshake" : what) \(peer)"
        case "plaintext-connection":
            return "plaintext \(c.application?.rawValue ?? "traffic") \(peer)"
        default:
            return "\(c.protocol.name) \(peer)"
        }
    }

    private static func message(for finding: Finding, on c: ConnectionRecord) -> String {
        let detail = finding.detail.isEmpty ? "" : " (\(finding.detail))"
        return
            "\(finding.severity.name) \(finding.id.rawValue): \(finding.id.explanation)\(detail) "
            + "\(c.client.address):\(c.client.port) → \(c.hostName):\(c.server.port)"
    }
}

/// Object members in insertion order; a member set to nil is left out.
private struct ObjectBuilder {
    private var members: [(String, JSONValue)] = []

    subscript(key: String) -> JSONValue? {
        get { members.first { $0.0 == key }?.1 }
        set {
            guard let newValue else { return }
            if case .object(let inner) = newValue, inner.isEmpty { return }
            members.append((key, newValue))
        }
    }

    var value: JSONValue { .object(members) }
}

extension ProtocolVersion {
    /// ECS's split of a version: `tls.version_protocol` and `tls.version` ("tls", "1.2";
    /// "ssl", "3.0"; "dtls", "1.3"; "tls", "1.3-draft-23"). Nil for values with no such reading
    /// (GREASE, unassigned).
    public var ecsParts: (protocol: String, version: String)? {
        switch self {
        case .sslv2: return ("ssl", "2.0")
        case .sslv3: return ("ssl", "3.0")
        case .tls10: return ("tls", "1.0")
        case .tls11: return ("tls", "1.1")
        case .tls12: return ("tls", "1.2")
        case .tls13: return ("tls", "1.3")
        case .dtls10: return ("dtls", "1.0")
        case .dtls12: return ("dtls", "1.2")
        case .dtls13: return ("dtls", "1.3")
        default:
            // TLS 1.3 drafts: 0x7F00 plus the draft number; Facebook's variants 0xFB00 plus theirs.
            guard ProtocolVersion.knownName(rawValue) != nil else { return nil }
            switch rawValue >> 8 {
            case 0x7F: return ("tls", "1.3-draft-\(rawValue & 0xFF)")
            case 0xFB: return ("tls", "1.3-fb-\(rawValue & 0xFF)")
            default: return nil
            }
        }
    }
}
