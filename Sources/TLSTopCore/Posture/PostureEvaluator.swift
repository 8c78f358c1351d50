/// The verdict on one connection under a policy.
public struct ConnectionPosture: Sendable, Equatable {
    /// Perfect forward secrecy: nil when unknown (not TLS, or no ServerHello).
    public var pfs: Bool?
    /// The negotiated group is a post-quantum (hybrid) KEM.
    public var pq: Bool
    /// The client offered one.
    public var pqOffered: Bool
    /// The client offered one and the server chose a classical group (whatever the policy makes
    /// of `pq-missed`: the header's share counts these).
    public var pqMissed = false
    /// The server authenticated with a post-quantum signature (an ML-DSA or SLH-DSA certificate key,
    /// or an ML-DSA CertificateVerify); nil when neither the certificate nor the signature is known.
    public var pqAuthentication: Bool? = nil
    /// Worst finding first, then by id.
    public var findings: [Finding]

    /// The worst of the findings, `ok` without any.
    public var severity: Severity { findings.map(\.severity).max() ?? .ok }
}

/// Turns a connection's facts into findings under a policy.
public enum PostureEvaluator {
    /// Findings whose severity the policy sets to `ok` are dropped: `ok` means "do not report".
    /// - Parameter details: false to leave each finding's `detail` empty (it is not read).
    public static func evaluate(
        _ facts: HandshakeFacts, protocol kind: ConnectionProtocol, policy: Policy, at now: Timestamp,
        details: Bool = true
    ) -> ConnectionPosture {
        var collector = Collector(policy: policy, keepsDetails: details)
        let application = facts.application
        let hello = facts.clientHello
        let serverHello = facts.serverHello

        if kind == .plaintext {
            if application.rdpSecurity == .rdp {
                collector.add(.plaintext, "rdp with standard RDP security (RC4, no TLS)")
            } else {
                collector.add(.plaintext, application.protocolName.map { "\($0.rawValue) in clear" } ?? "clear text")
            }
            // A refused proxy CONNECT is no STARTTLS: the plaintext finding says it all.
            if application.tunnel == nil, application.upgradeAdvertised || application.upgradeRequested {
                let how = application.upgradeRefused ? "refused by the server" : "not completed"
                collector.add(.starttlsNotUsed, "STARTTLS offered, \(how)")
            }
        }
        if application.cleartextCredentials {
            collector.add(.cleartextCredentials, application.credentialMechanism ?? "credentials")
        }

        if let version = facts.negotiatedVersion {
            switch version {
            case .sslv2: collector.add(.sslv2, "SSLv2 negotiated")
            case .sslv3: collector.add(.sslv3, "SSLv3 negotiated")
            case .tls10: collector.add(.tls10, "TLSv1.0 negotiated")
            case .tls11: collector.add(.tls11, "TLSv1.1 negotiated")
            case .tls12 where !policy.allowedVersions.contains(.tls12): collector.add(.tls12, "TLSv1.2 negotiated")
            case .tls12:
                if let end = policy.sunsets.tls12, now >= end {
                    collector.add(
                        .tls12, "TLSv1.2 negotiated (accepted until \(end.rfc3339Day))",
                        atLeast: policy.severity(of: .tls10))
                }
            default: break
            }
            if let hello, hello.highestVersion.ordinal > version.ordinal, !version.isDTLS {
                collector.add(
                    .versionDowngrade,
                    "client offered \(hello.highestVersion.name), server chose \(version.name) (server limited it)")
            }
        }

        let suite = serverHello?.cipherSuite
        if let suite, let info = suite.info {
            if info.isNullCipher { collector.add(.nullCipher, suite.name) }
            if info.isAnonymous { collector.add(.anonCipher, suite.name) }
            if info.isExport { collector.add(.exportCipher, suite.name) }
            if info.isRC4 { collector.add(.rc4, suite.name) }
            if info.isDES { collector.add(.des, suite.name) }
            if info.isTripleDES { collector.add(.tripleDES, suite.name) }
            if info.isCBC { collector.add(.cbcMode, suite.name) }
            if !policy.allowedCipherSuites.contains(suite), !info.isNullCipher, !info.isAnonymous, !info.isExport,
                !info.isRC4, !info.isDES
            {
                collector.add(.cipherNotInProfile, "\(suite.name) is not in the \(policy.name) profile")
            } else if let end = policy.sunsets.finiteFieldDHE, now >= end,
                info.keyExchange == .dhe || info.keyExchange == .dhePSK
            {
                collector.add(
                    .cipherNotInProfile, "\(suite.name): DHE suites accepted until \(end.rfc3339Day)",
                    atLeast: .warn)
            }
        }

        let pfs = forwardSecrecy(facts)
        if pfs == false, let suite {
            let kind = suite.info?.keyExchange == .tls13 ? "PSK-only resumption (psk_ke)" : "static key exchange"
            collector.add(.noPFS, "\(kind): \(suite.name)")
        }
        if let bits = facts.serverKeyExchange?.dhPrimeBits, bits < policy.minimumDHBits {
            collector.add(.weakDH, "DH prime of \(bits) bits (minimum \(policy.minimumDHBits))")
        }
        if let group = facts.group {
            if group.kind == .finiteField, let bits = group.finiteFieldBits, bits < policy.minimumDHBits {
                collector.add(.weakDH, "\(group.name) (minimum \(policy.minimumDHBits) bits)")
            }
            if !policy.allowedGroups.contains(group), !group.isPostQuantum || policy.restrictsPostQuantumGroups {
                collector.add(.groupNotInProfile, "\(group.name) is not in the \(policy.name) profile")
            }
        }

        let pq = facts.group?.isPostQuantum ?? false
        var pqMissed = false
        let offeredGroup = hello?.offeredPostQuantumGroup
        let pqOffered = offeredGroup != nil
        if let serverHello, !pq {
            let sunset = policy.sunsets.classicalKeyExchange.map { now >= $0 } ?? false
            collector.add(
                .notPQ,
                "\(facts.group?.name ?? "no group") key exchange" + (pqOffered ? " (client offered a PQ group)" : ""),
                atLeast: sunset ? .warn : .ok)
            // The server's doing: the client was ready. A resumption without any key exchange chose
            // no group, so there was nothing to miss.
            if let offered = offeredGroup, facts.group != nil || !serverHello.selectedVersion.isTLS13Family {
                pqMissed = true
                collector.add(
                    .pqMissed,
                    "client offered \(offered.name), server chose "
                        + (facts.group.map(\.name) ?? serverHello.selectedVersion.name))
            }
        }
        if pq, facts.helloRetryRequest != nil, let group = facts.group {
            collector.add(.pqHelloRetry, "HelloRetryRequest for \(group.name)")
        }
        if policy.reports(.rsaPKCS1Signature),
            let scheme = facts.serverKeyExchange?.signatureScheme ?? facts.decrypted?.serverSignatureScheme,
            scheme.isRSAPKCS1
        {
            collector.add(.rsaPKCS1Signature, scheme.name)
        }

        if let certificate = facts.serverCertificate {
            evaluateCertificate(certificate, facts: facts, policy: policy, now: now, into: &collector)
        }
        if let hello, serverHello != nil || facts.sslv2ServerVersion != nil, hello.serverName == nil,
            !hello.isSSLv2Format
        {
            collector.add(.noSNI, "ClientHello without server_name")
        }
        if let hello, let chosen = suite {
            let weak = hello.cipherSuites.filter { $0 != chosen && $0.isWeak }
            if !weak.isEmpty {
                let names = weak.prefix(3).map(\.name).joined(separator: ", ")
                collector.add(
                    .weakOffer, "client also offered \(names)" + (weak.count > 3 ? " and \(weak.count - 3) more" : ""))
            }
        }
        if let alert = facts.fatalAlert {
            let side = alert.sender == .client ? "client" : "server"
            collector.add(.handshakeFailed, "\(side) sent fatal \(alert.description?.name ?? "alert")")
        }

        let pqAuthentication =
            facts.serverCertificate.map { $0.postQuantumCategory > 0 }
            ?? facts.decrypted?.serverSignatureScheme
            .map(\.isPostQuantum)
        return ConnectionPosture(
            pfs: pfs, pq: pq, pqOffered: pqOffered, pqMissed: pqMissed, pqAuthentication: pqAuthentication,
            findings: collector.sorted())
    }

    /// (EC)DHE and TLS 1.3 with a key share: forward secret. Static RSA/DH/ECDH and TLS 1.3 PSK-only
    /// (psk_ke) resumption: not. Unknown without a ServerHello.
    public static func forwardSecrecy(_ facts: HandshakeFacts) -> Bool? {
        guard let serverHello = facts.serverHello else { return nil }
        if serverHello.selectedVersion.isTLS13Family {
            // Full handshakes always carry a key share; a PSK resumption carries one only with psk_dhe_ke.
            return serverHello.keyShareGroup != nil || !serverHello.selectsPreSharedKey
        }
        return serverHello.cipherSuite.info?.hasForwardSecrecy
    }

    private static func evaluateCertificate(
        _ certificate: CertificateFacts, facts: HandshakeFacts, policy: Policy, now: Timestamp,
        into collector: inout Collector
    ) {
        let notBefore = Timestamp(certificate.notBefore)
        let notAfter = Timestamp(certificate.notAfter)
        if now > notAfter {
            collector.add(.certExpired, "expired \(notAfter.rfc3339Day)")
        } else if now < notBefore {
            collector.add(.certNotYetValid, "valid from \(notBefore.rfc3339Day)")
        } else {
            let days = (notAfter.nanoseconds - now.nanoseconds) / 86_400_000_000_000
            if days < Int64(policy.certificateExpiryWarningDays) {
                collector.add(.certExpiringSoon, "expires \(notAfter.rfc3339Day) (\(days) days)")
            }
        }
        if let bits = certificate.keyBits {
            switch certificate.keyType {
            case "RSA", "DSA":
                if bits < policy.minimumRSABits {
                    collector.add(.weakRSAKey, "\(certificate.keyType) \(bits) bits (minimum \(policy.minimumRSABits))")
                    // Below 1024 bits is factorable today: critical under any profile.
                    if bits < 1024 { collector.raise(.weakRSAKey, to: .critical) }
                }
            case "EC":
                if bits < policy.minimumECBits {
                    collector.add(
                        .weakECKey, "\(certificate.curve ?? "EC") \(bits) bits (minimum \(policy.minimumECBits))")
                }
            default:
                break
            }
        }
        let signature = certificate.signatureAlgorithm
        switch certificate.signatureDigest {
        case .broken?:
            collector.add(.weakSignature, certificate.signatureAlgorithm)
            collector.raise(.weakSignature, to: .critical)
        case .collidable?:
            collector.add(.weakSignature, certificate.signatureAlgorithm)
        case nil:
            break
        }
        if certificate.isSelfSigned { collector.add(.selfSigned, certificate.subject) }
        if policy.reports(.rsaPKCS1Signature), signature.hasSuffix("WithRSAEncryption") {
            // RSASSA-PKCS1-v1_5 by the CA; the handshake's own signature, when seen, was checked first.
            collector.add(.rsaPKCS1Signature, "certificate signed with \(signature)")
        }
        if policy.reports(.notPQAuthentication), case let category = certificate.postQuantumCategory,
            category < policy.minimumPQSignatureCategory
        {
            let key = certificate.keyBits.map { "\(certificate.keyType) \($0) bits" } ?? certificate.keyType
            collector.add(
                .notPQAuthentication,
                category == 0
                    ? "\(key) (classical)"
                    : "\(certificate.keyType) is category \(category), below \(policy.minimumPQSignatureCategory)")
        }
        if facts.certificateCoversServerName == false, let name = facts.clientHello?.serverName {
            collector.add(
                .sniMismatch, "\(name) not in \(certificate.subjectAltNames.prefix(3).joined(separator: ", "))")
        }
    }

    /// Gathers findings, applying the policy's severities and dropping `ok` ones.
    struct Collector {
        let policy: Policy
        /// False when only ids and severities are wanted (a connection folded into its host row):
        /// the detail text, the costly part, is then never made.
        var keepsDetails = true
        var findings: [Finding] = []

        /// - Parameter floor: the least severity the finding gets (a sunset passed), whatever the
        ///   policy's table says.
        mutating func add(_ id: FindingID, _ detail: @autoclosure () -> String, atLeast floor: Severity = .ok) {
            let severity = max(policy.severity(of: id), floor)
            guard severity > .ok, !findings.contains(where: { $0.id == id }) else { return }
            findings.append(Finding(id: id, severity: severity, detail: keepsDetails ? detail() : ""))
        }

        /// Some facts are bad enough to be critical whatever the profile says about milder cases.
        mutating func raise(_ id: FindingID, to severity: Severity) {
            guard let index = findings.firstIndex(where: { $0.id == id }) else { return }
            findings[index].severity = max(findings[index].severity, severity)
        }

        /// The findings, worst first; sorted in place (the collector is done with them).
        mutating func sorted() -> [Finding] {
            findings.sort { $0.severity != $1.severity ? $0.severity > $1.severity : $0.id < $1.id }
            return findings
        }
    }
}
