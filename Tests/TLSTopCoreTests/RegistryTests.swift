import Testing

@testable import TLSTopCore

@Suite("IANA registries")
struct RegistryTests {
    // MARK: - Spot checks against the registries

    @Test("Known cipher suites have their IANA names")
    func cipherSuiteNames() {
        let expected: [UInt16: String] = [
            0x0000: "TLS_NULL_WITH_NULL_NULL",
            0x0004: "TLS_RSA_WITH_RC4_128_MD5",
            0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
            0x0060: "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5",
            0x0080: "TLS_GOSTR341094_WITH_28147_CNT_IMIT",
            0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
            0x1301: "TLS_AES_128_GCM_SHA256",
            0x1303: "TLS_CHACHA20_POLY1305_SHA256",
            0x1305: "TLS_AES_128_CCM_8_SHA256",
            0x5600: "TLS_FALLBACK_SCSV",
            0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            0xC0AA: "TLS_PSK_DHE_WITH_AES_128_CCM_8",
            0xC0B4: "TLS_SHA256_SHA256",
            0xC100: "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
            0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            0xCC13: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
            0xD005: "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",
            0xFEFF: "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA",
            0xFFE1: "SSL_RSA_OLDFIPS_WITH_DES_CBC_SHA",
        ]
        for (value, name) in expected {
            #expect(CipherSuite(rawValue: value).name == name, "cipher suite \(value)")
            #expect(CipherSuite(rawValue: value).description == name)
        }
    }

    @Test("Known named groups have their IANA names")
    func namedGroupNames() {
        let expected: [(NamedGroup, String)] = [
            (.secp256r1, "secp256r1"),
            (.secp384r1, "secp384r1"),
            (.secp521r1, "secp521r1"),
            (.x25519, "x25519"),
            (.x448, "x448"),
            (.x25519MLKEM768, "X25519MLKEM768"),
            (.secP256r1MLKEM768, "SecP256r1MLKEM768"),
            (.secP384r1MLKEM1024, "SecP384r1MLKEM1024"),
            (.x25519Kyber768Draft00, "X25519Kyber768Draft00"),
            (NamedGroup(rawValue: 0x0200), "MLKEM512"),
            (NamedGroup(rawValue: 0x0201), "MLKEM768"),
            (NamedGroup(rawValue: 0x0202), "MLKEM1024"),
            (NamedGroup(rawValue: 0x0100), "ffdhe2048"),
            (NamedGroup(rawValue: 0x0104), "ffdhe8192"),
            (NamedGroup(rawValue: 0x001A), "brainpoolP256r1"),
            (NamedGroup(rawValue: 0x0021), "brainpoolP512r1tls13"),
            (NamedGroup(rawValue: 0xFF01), "arbitrary_explicit_prime_curves"),
            (NamedGroup(rawValue: 0xFF02), "arbitrary_explicit_char2_curves"),
        ]
        for (group, name) in expected {
            #expect(group.name == name)
        }
        #expect(NamedGroup.x25519MLKEM768.rawValue == 0x11EC)
        #expect(NamedGroup.secP256r1MLKEM768.rawValue == 0x11EB)
        #expect(NamedGroup.secP384r1MLKEM1024.rawValue == 0x11ED)
        #expect(NamedGroup.x25519Kyber768Draft00.rawValue == 0x6399)
    }

    @Test("Known signature schemes have IANA or consistent legacy names")
    func signatureSchemeNames() {
        let expected: [UInt16: String] = [
            0x0101: "rsa_pkcs1_md5",
            0x0201: "rsa_pkcs1_sha1",
            0x0202: "dsa_sha1",
            0x0203: "ecdsa_sha1",
            0x0303: "ecdsa_sha224",
            0x0403: "ecdsa_secp256r1_sha256",
            0x0804: "rsa_pss_rsae_sha256",
            0x0807: "ed25519",
            0x0808: "ed448",
            0x080B: "rsa_pss_pss_sha512",
            0x0904: "mldsa44",
            0x0905: "mldsa65",
            0x0906: "mldsa87",
        ]
        for (value, name) in expected {
            #expect(SignatureScheme(rawValue: value).name == name, "signature scheme \(value)")
        }
    }

    @Test("Known extension types have IANA names and the expected constants")
    func extensionTypeNames() {
        let expected: [(ExtensionType, UInt16, String)] = [
            (.serverName, 0, "server_name"),
            (.maxFragmentLength, 1, "max_fragment_length"),
            (.statusRequest, 5, "status_request"),
            (.supportedGroups, 10, "supported_groups"),
            (.ecPointFormats, 11, "ec_point_formats"),
            (.signatureAlgorithms, 13, "signature_algorithms"),
            (.applicationLayerProtocolNegotiation, 16, "application_layer_protocol_negotiation"),
            (.signedCertificateTimestamp, 18, "signed_certificate_timestamp"),
            (.encryptThenMac, 22, "encrypt_then_mac"),
            (.extendedMasterSecret, 23, "extended_master_secret"),
            (.sessionTicket, 35, "session_ticket"),
            (.preSharedKey, 41, "pre_shared_key"),
            (.earlyData, 42, "early_data"),
            (.supportedVersions, 43, "supported_versions"),
            (.cookie, 44, "cookie"),
            (.pskKeyExchangeModes, 45, "psk_key_exchange_modes"),
            (.certificateAuthorities, 47, "certificate_authorities"),
            (.postHandshakeAuth, 49, "post_handshake_auth"),
            (.signatureAlgorithmsCert, 50, "signature_algorithms_cert"),
            (.keyShare, 51, "key_share"),
            (.quicTransportParameters, 57, "quic_transport_parameters"),
            (.encryptedClientHello, 0xFE0D, "encrypted_client_hello"),
            (.renegotiationInfo, 0xFF01, "renegotiation_info"),
        ]
        for (type, value, name) in expected {
            #expect(type.rawValue == value)
            #expect(type.name == name)
        }
    }

    @Test("Known alerts have IANA names")
    func alertNames() {
        #expect(AlertDescription(rawValue: 0).name == "close_notify")
        #expect(AlertDescription(rawValue: 40).name == "handshake_failure")
        #expect(AlertDescription(rawValue: 70).name == "protocol_version")
        #expect(AlertDescription(rawValue: 86).name == "inappropriate_fallback")
        #expect(AlertDescription(rawValue: 112).name == "unrecognized_name")
        #expect(AlertDescription(rawValue: 120).name == "no_application_protocol")
        #expect(AlertDescription.handshakeFailure.rawValue == 40)
    }

    @Test("Protocol versions, including DTLS and drafts, have readable names")
    func protocolVersionNames() {
        let expected: [UInt16: String] = [
            0x0002: "SSLv2",
            0x0300: "SSLv3",
            0x0301: "TLSv1.0",
            0x0302: "TLSv1.1",
            0x0303: "TLSv1.2",
            0x0304: "TLSv1.3",
            0x7F12: "TLSv1.3-draft-18",
            0x7F1C: "TLSv1.3-draft-28",
            0xFB17: "TLSv1.3-fb-23",
            0xFEFF: "DTLSv1.0",
            0xFEFD: "DTLSv1.2",
            0xFEFC: "DTLSv1.3",
            0x0100: "DTLSv1.0-openssl-pre",
        ]
        for (value, name) in expected {
            #expect(ProtocolVersion(rawValue: value).name == name, "version \(value)")
        }
        #expect(ProtocolVersion.dtls10.isDTLS && ProtocolVersion.dtls12.isDTLS && ProtocolVersion.dtls13.isDTLS)
        #expect(ProtocolVersion(rawValue: 0x0100).isDTLS)
        #expect(!ProtocolVersion.tls12.isDTLS && !ProtocolVersion.tls13.isDTLS && !ProtocolVersion.sslv3.isDTLS)
    }

    // MARK: - Unknown values

    @Test("Unknown values print as four lowercase hex digits")
    func unknownFormatting() {
        #expect(CipherSuite(rawValue: 0x00FE).name == "0x00fe")
        #expect(CipherSuite(rawValue: 0xABCD).name == "0xabcd")
        #expect(CipherSuite(rawValue: 0x00FE).info == nil)
        #expect(!CipherSuite(rawValue: 0x00FE).isKnown)
        #expect(NamedGroup(rawValue: 0x1234).name == "0x1234")
        #expect(NamedGroup(rawValue: 0x1234).kind == .unknown)
        #expect(SignatureScheme(rawValue: 0x0E0F).name == "0x0e0f")
        #expect(ExtensionType(rawValue: 0xBEEF).name == "0xbeef")
        #expect(ExtensionType(rawValue: 40).name == "0x0028")
        #expect(ProtocolVersion(rawValue: 0x0305).name == "0x0305")
        #expect(ProtocolVersion(rawValue: 0x0305).ordinal == 0)
        #expect(AlertDescription(rawValue: 123).name == "alert_123")
        #expect(AlertDescription(rawValue: 255).name == "alert_255")
        #expect(CodePointFormat.hex(0) == "0x0000")
        #expect(CodePointFormat.hex(0xFFFF) == "0xffff")
    }

    // MARK: - GREASE

    static let greaseValues: [UInt16] = [
        0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A,
        0x8A8A, 0x9A9A, 0xAAAA, 0xBABA, 0xCACA, 0xDADA, 0xEAEA, 0xFAFA,
    ]

    @Test("All sixteen RFC 8701 values are GREASE in every registry", arguments: greaseValues)
    func greaseValue(_ value: UInt16) {
        #expect(GREASE.isGREASE(value))
        #expect(CipherSuite(rawValue: value).isGREASE)
        #expect(CipherSuite(rawValue: value).name == "GREASE")
        #expect(CipherSuite(rawValue: value).info == nil)
        #expect(NamedGroup(rawValue: value).name == "GREASE")
        #expect(NamedGroup(rawValue: value).kind == .unknown)
        #expect(!NamedGroup(rawValue: value).isPostQuantum)
        #expect(SignatureScheme(rawValue: value).name == "GREASE")
        #expect(SignatureScheme(rawValue: value).isGREASE)
        #expect(ExtensionType(rawValue: value).name == "GREASE")
        #expect(ExtensionType(rawValue: value).isGREASE)
        #expect(ProtocolVersion(rawValue: value).name == "GREASE")
        #expect(ProtocolVersion(rawValue: value).isGREASE)
    }

    @Test("GREASE.values lists exactly the sixteen values")
    func greaseList() {
        #expect(GREASE.values == Self.greaseValues)
        #expect((0...UInt16.max).filter(GREASE.isGREASE) == Self.greaseValues)
    }

    @Test(
        "Neighbours of GREASE values are not GREASE",
        arguments: [
            0x0A0B, 0x0B0A, 0x0A09, 0x090A, 0x0A1A, 0x1A0A, 0x0A00, 0x000A, 0x0B0B, 0xAAAB,
            0xFAFB, 0xFBFA, 0xEAFA, 0x0000, 0xFFFF, 0xA0A0, 0x5656, 0x1301, 0xC02F, 0xFE0D,
        ] as [UInt16]
    )
    func notGrease(_ value: UInt16) {
        #expect(!GREASE.isGREASE(value))
        #expect(!CipherSuite(rawValue: value).isGREASE)
        #expect(CipherSuite(rawValue: value).name != "GREASE")
        #expect(ExtensionType(rawValue: value).name != "GREASE")
    }

    // MARK: - Table integrity

    @Test("Every known cipher suite name starts with TLS_ or SSL_")
    func cipherSuitePrefixes() {
        #expect(!CipherSuite.allKnown.isEmpty)
        for suite in CipherSuite.allKnown {
            #expect(suite.name.hasPrefix("TLS_") || suite.name.hasPrefix("SSL_"), "\(suite.rawValue)")
        }
    }

    @Test("Every known cipher suite except the signalling values has info")
    func cipherSuiteInfoCoverage() {
        for suite in CipherSuite.allKnown where !suite.isSignalingValue {
            #expect(suite.info != nil, "no info for \(suite.name)")
        }
        #expect(CipherSuite.emptyRenegotiationInfoSCSV.isSignalingValue)
        #expect(CipherSuite.emptyRenegotiationInfoSCSV.info == nil)
        #expect(CipherSuite.fallbackSCSV.isSignalingValue)
        #expect(CipherSuite.fallbackSCSV.info == nil)
    }

    @Test("No two code points share a name within a registry")
    func uniqueNames() {
        func duplicates(_ names: [String]) -> [String] {
            var seen = Set<String>()
            return names.filter { !seen.insert($0).inserted }
        }
        #expect(duplicates(CipherSuite.allKnown.map(\.name)) == [])
        #expect(duplicates(NamedGroup.allKnown.map(\.name)) == [])
        #expect(duplicates(SignatureScheme.allKnown.map(\.name)) == [])
        #expect(duplicates(ExtensionType.allKnown.map(\.name)) == [])
        #expect(duplicates(ProtocolVersion.allKnown.map(\.name)) == [])
        #expect(duplicates(AlertDescription.allKnown.map(\.name)) == [])
        // The raw tables must not list a value twice either (a later row would silently win).
        #expect(Set(CipherSuite.registry.map(\.0)).count == CipherSuite.registry.count)
        #expect(Set(NamedGroup.registry.map(\.0)).count == NamedGroup.registry.count)
        #expect(Set(SignatureScheme.registry.map(\.0)).count == SignatureScheme.registry.count)
        #expect(Set(ExtensionType.registry.map(\.0)).count == ExtensionType.registry.count)
        #expect(Set(AlertDescription.registry.map(\.0)).count == AlertDescription.registry.count)
    }

    @Test("Every registry derives isKnown, name, description and allKnown from its table")
    func sharedMembers() {
        func check<T: TLSCodePoint>(_: T.Type) {
            var mismatches: [T.RawValue] = []
            let known = Set(T.allKnown)
            for raw in stride(from: T.RawValue.min, through: T.RawValue.max, by: 1) {
                let value = T(rawValue: raw)
                let stored = T.knownName(raw)
                let consistent =
                    value.isKnown == (stored != nil) && value.isKnown == known.contains(value)
                    && (stored == nil || value.name == stored) && value.description == value.name
                if !consistent { mismatches.append(raw) }
            }
            #expect(mismatches.isEmpty, "\(T.self): \(mismatches.prefix(8))")
            #expect(T.allKnown.map(\.rawValue) == T.allKnown.map(\.rawValue).sorted(), "\(T.self)")
        }
        check(CipherSuite.self)
        check(NamedGroup.self)
        check(SignatureScheme.self)
        check(ExtensionType.self)
        check(ProtocolVersion.self)
        check(AlertDescription.self)
    }

    @Test("No GREASE value is listed in a table")
    func tablesExcludeGrease() {
        #expect(CipherSuite.allKnown.count > 300 && NamedGroup.allKnown.count > 30)
        #expect(CipherSuite.allKnown.allSatisfy { !$0.isGREASE })
        #expect(NamedGroup.allKnown.allSatisfy { !$0.isGREASE })
        #expect(SignatureScheme.allKnown.allSatisfy { !$0.isGREASE })
        #expect(ExtensionType.allKnown.allSatisfy { !$0.isGREASE })
        #expect(ProtocolVersion.allKnown.allSatisfy { !$0.isGREASE })
    }

    /// Pinned so that an accidental deletion shows up; update deliberately when a registry grows.
    @Test("Table sizes")
    func tableSizes() {
        #expect(CipherSuite.allKnown.count == 389)
        #expect(NamedGroup.allKnown.count == 61)
        #expect(SignatureScheme.allKnown.count == 49)
        #expect(ExtensionType.allKnown.count == 71)
        #expect(AlertDescription.allKnown.count == 37)
        #expect(ProtocolVersion.allKnown.count == 256 + 13)
    }

    // MARK: - Cipher suite classification

    struct Classification: Sendable, CustomTestStringConvertible {
        var value: UInt16
        var keyExchange: KeyExchange
        var authentication: String
        var encryption: String
        var mac: String
        var forwardSecret = false
        var anonymous = false
        var export = false
        var null = false
        var rc4 = false
        var des = false
        var tripleDES = false
        var cbc = false
        var aead = false

        var testDescription: String { CipherSuite(rawValue: value).name }
    }

    static let classifications: [Classification] = [
        // Static RSA: no forward secrecy.
        .init(
            value: 0x002F, keyExchange: .rsa, authentication: "RSA", encryption: "AES_128_CBC", mac: "SHA",
            cbc: true),
        .init(
            value: 0x009C, keyExchange: .rsa, authentication: "RSA", encryption: "AES_128_GCM", mac: "AEAD",
            aead: true),
        // ECDHE and DHE: forward secret.
        .init(
            value: 0xC02F, keyExchange: .ecdhe, authentication: "RSA", encryption: "AES_128_GCM", mac: "AEAD",
            forwardSecret: true, aead: true),
        .init(
            value: 0xC024, keyExchange: .ecdhe, authentication: "ECDSA", encryption: "AES_256_CBC",
            mac: "SHA384", forwardSecret: true, cbc: true),
        .init(
            value: 0xCCA9, keyExchange: .ecdhe, authentication: "ECDSA", encryption: "CHACHA20_POLY1305",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0x0033, keyExchange: .dhe, authentication: "RSA", encryption: "AES_128_CBC", mac: "SHA",
            forwardSecret: true, cbc: true),
        // Static (EC)DH.
        .init(
            value: 0x0031, keyExchange: .dh, authentication: "RSA", encryption: "AES_128_CBC", mac: "SHA",
            cbc: true),
        .init(
            value: 0xC004, keyExchange: .ecdh, authentication: "ECDSA", encryption: "AES_128_CBC", mac: "SHA",
            cbc: true),
        // Anonymous.
        .init(
            value: 0x0034, keyExchange: .dhe, authentication: "anon", encryption: "AES_128_CBC", mac: "SHA",
            forwardSecret: true, anonymous: true, cbc: true),
        .init(
            value: 0xC018, keyExchange: .ecdhe, authentication: "anon", encryption: "AES_128_CBC", mac: "SHA",
            forwardSecret: true, anonymous: true, cbc: true),
        // EXPORT.
        .init(
            value: 0x0003, keyExchange: .rsa, authentication: "RSA", encryption: "RC4_40", mac: "MD5",
            export: true, rc4: true),
        .init(
            value: 0x0014, keyExchange: .dhe, authentication: "RSA", encryption: "DES40_CBC", mac: "SHA",
            forwardSecret: true, export: true, des: true, cbc: true),
        .init(
            value: 0x0019, keyExchange: .dhe, authentication: "anon", encryption: "DES40_CBC", mac: "SHA",
            forwardSecret: true, anonymous: true, export: true, des: true, cbc: true),
        .init(
            value: 0x0062, keyExchange: .rsa, authentication: "RSA", encryption: "DES_CBC", mac: "SHA",
            export: true, des: true, cbc: true),
        .init(
            value: 0x0029, keyExchange: .krb5, authentication: "KRB5", encryption: "DES_CBC_40", mac: "MD5",
            export: true, des: true, cbc: true),
        // RC4, 3DES, DES.
        .init(
            value: 0x0005, keyExchange: .rsa, authentication: "RSA", encryption: "RC4_128", mac: "SHA",
            rc4: true),
        .init(
            value: 0xC011, keyExchange: .ecdhe, authentication: "RSA", encryption: "RC4_128", mac: "SHA",
            forwardSecret: true, rc4: true),
        .init(
            value: 0x000A, keyExchange: .rsa, authentication: "RSA", encryption: "3DES_EDE_CBC", mac: "SHA",
            tripleDES: true, cbc: true),
        .init(
            value: 0x0009, keyExchange: .rsa, authentication: "RSA", encryption: "DES_CBC", mac: "SHA",
            des: true, cbc: true),
        .init(
            value: 0xFEFE, keyExchange: .rsa, authentication: "RSA", encryption: "DES_CBC", mac: "SHA",
            des: true, cbc: true),
        // NULL encryption.
        .init(
            value: 0x0000, keyExchange: .null, authentication: "NULL", encryption: "NULL", mac: "NULL",
            anonymous: true, null: true),
        .init(value: 0x0002, keyExchange: .rsa, authentication: "RSA", encryption: "NULL", mac: "SHA", null: true),
        .init(
            value: 0xC006, keyExchange: .ecdhe, authentication: "ECDSA", encryption: "NULL", mac: "SHA",
            forwardSecret: true, null: true),
        // PSK family.
        .init(
            value: 0x008C, keyExchange: .psk, authentication: "PSK", encryption: "AES_128_CBC", mac: "SHA",
            cbc: true),
        .init(
            value: 0x00AA, keyExchange: .dhePSK, authentication: "PSK", encryption: "AES_128_GCM", mac: "AEAD",
            forwardSecret: true, aead: true),
        .init(
            value: 0xC0AA, keyExchange: .dhePSK, authentication: "PSK", encryption: "AES_128_CCM_8",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0xD001, keyExchange: .ecdhePSK, authentication: "PSK", encryption: "AES_128_GCM",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0x00AC, keyExchange: .rsaPSK, authentication: "RSA", encryption: "AES_128_GCM", mac: "AEAD",
            aead: true),
        // SRP, ECCPWD, GOST.
        .init(
            value: 0xC01E, keyExchange: .srp, authentication: "RSA", encryption: "AES_128_CBC", mac: "SHA",
            cbc: true),
        .init(
            value: 0xC0B0, keyExchange: .eccpwd, authentication: "ECCPWD", encryption: "AES_128_GCM",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0xC100, keyExchange: .gost, authentication: "GOSTR341112_256",
            encryption: "KUZNYECHIK_CTR", mac: "OMAC"),
        .init(
            value: 0xC103, keyExchange: .tls13, authentication: "any", encryption: "KUZNYECHIK_MGM_L",
            mac: "AEAD", forwardSecret: true, aead: true),
        // CCM without a hash in the name, and the pre-RFC ChaCha20 code point.
        .init(
            value: 0xC0AC, keyExchange: .ecdhe, authentication: "ECDSA", encryption: "AES_128_CCM",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0xCC13, keyExchange: .ecdhe, authentication: "RSA", encryption: "CHACHA20_POLY1305",
            mac: "AEAD", forwardSecret: true, aead: true),
        // TLS 1.3.
        .init(
            value: 0x1301, keyExchange: .tls13, authentication: "any", encryption: "AES_128_GCM", mac: "AEAD",
            forwardSecret: true, aead: true),
        .init(
            value: 0x1302, keyExchange: .tls13, authentication: "any", encryption: "AES_256_GCM", mac: "AEAD",
            forwardSecret: true, aead: true),
        .init(
            value: 0x1303, keyExchange: .tls13, authentication: "any", encryption: "CHACHA20_POLY1305",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0x1304, keyExchange: .tls13, authentication: "any", encryption: "AES_128_CCM", mac: "AEAD",
            forwardSecret: true, aead: true),
        .init(
            value: 0x1305, keyExchange: .tls13, authentication: "any", encryption: "AES_128_CCM_8",
            mac: "AEAD", forwardSecret: true, aead: true),
        .init(
            value: 0x00C6, keyExchange: .tls13, authentication: "any", encryption: "SM4_GCM", mac: "AEAD",
            forwardSecret: true, aead: true),
        .init(
            value: 0xC0B5, keyExchange: .tls13, authentication: "any", encryption: "NULL", mac: "SHA384",
            forwardSecret: true, null: true),
    ]

    @Test("Cipher suite info classifies representative suites", arguments: classifications)
    func classification(_ expected: Classification) throws {
        let info = try #require(CipherSuite(rawValue: expected.value).info)
        #expect(info.keyExchange == expected.keyExchange)
        #expect(info.authentication == expected.authentication)
        #expect(info.encryption == expected.encryption)
        #expect(info.mac == expected.mac)
        #expect(info.hasForwardSecrecy == expected.forwardSecret)
        #expect(info.isAnonymous == expected.anonymous)
        #expect(info.isExport == expected.export)
        #expect(info.isNullCipher == expected.null)
        #expect(info.isRC4 == expected.rc4)
        #expect(info.isDES == expected.des)
        #expect(info.isTripleDES == expected.tripleDES)
        #expect(info.isCBC == expected.cbc)
        #expect(info.isAEAD == expected.aead)
    }

    @Test("Every TLS 1.3 suite is forward secret and AEAD or integrity-only")
    func tls13Suites() {
        let tls13 = CipherSuite.allKnown.compactMap(\.info).filter { $0.keyExchange == .tls13 }
        #expect(tls13.count >= 7)
        for info in tls13 {
            #expect(info.hasForwardSecrecy)
            #expect(info.isAEAD || info.isNullCipher)
            #expect(!info.isCBC && !info.isExport)
        }
    }

    static let staticKeyExchanges: Set<KeyExchange> = [.rsa, .dh, .ecdh, .psk, .rsaPSK, .krb5, .srp, .gost]
    static let ephemeralKeyExchanges: Set<KeyExchange> = [.dhe, .ecdhe, .dhePSK, .ecdhePSK, .tls13]

    @Test("Flags agree with the suite names across the whole table")
    func flagsMatchNames() {
        for suite in CipherSuite.allKnown {
            guard let info = suite.info else { continue }
            let name = suite.name
            #expect(info.isExport == name.split(separator: "_").contains { $0.hasPrefix("EXPORT") }, "\(name)")
            #expect(info.isRC4 == name.split(separator: "_").contains("RC4"), "\(name)")
            #expect(info.isTripleDES == name.split(separator: "_").contains("3DES"), "\(name)")
            #expect(info.isCBC == name.split(separator: "_").contains("CBC"), "\(name)")
            #expect(!(info.isCBC && info.isAEAD), "\(name)")
            #expect(info.isAnonymous == (name.split(separator: "_").contains("anon") || suite == .nullWithNullNull))
            if Self.staticKeyExchanges.contains(info.keyExchange) {
                #expect(!info.hasForwardSecrecy, "\(name)")
            }
            if Self.ephemeralKeyExchanges.contains(info.keyExchange) {
                #expect(info.hasForwardSecrecy, "\(name)")
            }
        }
    }

    // MARK: - Named group classification

    @Test("Named group kinds and post-quantum flags")
    func namedGroupKinds() {
        for group in [NamedGroup.x25519MLKEM768, .secP256r1MLKEM768, .secP384r1MLKEM1024, .x25519Kyber768Draft00] {
            #expect(group.kind == .postQuantumHybrid, "\(group)")
            #expect(group.isPostQuantum && group.isHybrid, "\(group)")
        }
        for group in [NamedGroup.mlkem512, .mlkem768, .mlkem1024] {
            #expect(group.kind == .postQuantum, "\(group)")
            #expect(group.isPostQuantum && !group.isHybrid, "\(group)")
        }
        for group in [NamedGroup.secp256r1, .x25519, .x448, NamedGroup(rawValue: 0x001C)] {
            #expect(group.kind == .ellipticCurve, "\(group)")
            #expect(!group.isPostQuantum && !group.isHybrid, "\(group)")
        }
        #expect(NamedGroup.ffdhe2048.kind == .finiteField)
        #expect(!NamedGroup.ffdhe2048.isPostQuantum)
        // Names containing a KEM are exactly the post-quantum ones.
        for group in NamedGroup.allKnown {
            let pqName = group.name.contains("MLKEM") || group.name.contains("Kyber") || group.name == "CECPQ2"
            #expect(group.isPostQuantum == pqName, "\(group)")
        }
        // The flag's fast switch and the registry's kinds agree on every code point.
        for value in UInt16.min...UInt16.max {
            let group = NamedGroup(rawValue: value)
            #expect(group.isPostQuantum == (group.kind == .postQuantum || group.kind == .postQuantumHybrid))
        }
    }

    // MARK: - Signature scheme weakness

    @Test("SHA-1 and MD5 signature schemes are flagged")
    func signatureHashes() {
        for value: UInt16 in [0x0201, 0x0202, 0x0203] {
            #expect(SignatureScheme(rawValue: value).usesSHA1, "\(value)")
            #expect(!SignatureScheme(rawValue: value).usesMD5, "\(value)")
        }
        for value: UInt16 in [0x0101, 0x0102, 0x0103] {
            #expect(SignatureScheme(rawValue: value).usesMD5, "\(value)")
            #expect(!SignatureScheme(rawValue: value).usesSHA1, "\(value)")
        }
        for scheme in [SignatureScheme.rsaPKCS1SHA256, .ecdsaSecp256r1SHA256, .rsaPSSRSAESHA256, .ed25519, .mldsa65] {
            #expect(!scheme.usesSHA1 && !scheme.usesMD5, "\(scheme)")
        }
        #expect(!SignatureScheme(rawValue: 0x0A0A).usesSHA1)
        for scheme in SignatureScheme.allKnown {
            #expect(scheme.usesSHA1 == scheme.name.hasSuffix("_sha1"), "\(scheme)")
            #expect(scheme.usesMD5 == scheme.name.hasSuffix("_md5"), "\(scheme)")
        }
    }

    // MARK: - Protocol version ordering

    @Test("Ordinals order TLS and DTLS versions by strength")
    func versionOrdering() {
        let tls: [ProtocolVersion] = [.sslv2, .sslv3, .tls10, .tls11, .tls12, .tls13]
        for (older, newer) in zip(tls, tls.dropFirst()) {
            #expect(older.ordinal < newer.ordinal, "\(older) < \(newer)")
            #expect(older < newer)
        }
        // DTLS wire values count down, but the ordering must not.
        #expect(ProtocolVersion.dtls10.rawValue > ProtocolVersion.dtls12.rawValue)
        #expect(ProtocolVersion(rawValue: 0x0100) < .dtls10)
        #expect(ProtocolVersion.dtls10 < .dtls12)
        #expect(ProtocolVersion.dtls12 < .dtls13)
        // Drafts sit between TLS 1.2 and TLS 1.3, in draft order.
        let draft18 = ProtocolVersion(rawValue: 0x7F12)
        let draft28 = ProtocolVersion(rawValue: 0x7F1C)
        let facebook23 = ProtocolVersion(rawValue: 0xFB17)
        #expect(ProtocolVersion.tls12 < draft18)
        #expect(draft18 < facebook23 && facebook23 < draft28)
        #expect(draft28 < .tls13)
        // Unknown and GREASE sort below everything real.
        #expect(ProtocolVersion(rawValue: 0x0A0A).ordinal == 0)
        #expect(ProtocolVersion(rawValue: 0x0A0A) < .sslv2)

        let shuffled: [ProtocolVersion] = [.tls13, .dtls10, .sslv3, .tls12, .dtls13, .tls10, .dtls12, .tls11]
        #expect(shuffled.sorted() == [.sslv3, .tls10, .tls11, .dtls10, .tls12, .dtls12, .tls13, .dtls13])
        #expect(shuffled.max() == .dtls13)
    }

    @Test("Comparable is a strict total order consistent with equality")
    func versionTotalOrder() {
        let versions =
            ProtocolVersion.allKnown + [ProtocolVersion(rawValue: 0x1234), ProtocolVersion(rawValue: 0x4321)]
        var violations: [String] = []
        for a in versions {
            if a < a { violations.append("\(a) < itself") }
            for b in versions where a != b && (a < b) == (b < a) {
                violations.append("\(a) vs \(b)")
            }
        }
        #expect(violations == [])
    }
}

@Suite struct WeakSuiteBitsTests {
    /// The bit per code point says what the registry's info says, for every 16-bit value.
    @Test func agreeWithTheRegistryForEveryCodePoint() {
        var weak = 0
        for value in 0...0xFFFF {
            let suite = CipherSuite(rawValue: UInt16(value))
            #expect(suite.isWeak == (suite.info?.isWeak ?? false))
            if suite.isWeak { weak += 1 }
        }
        #expect(weak > 50, "RC4, DES, 3DES, NULL, anonymous and export suites")
    }
}
