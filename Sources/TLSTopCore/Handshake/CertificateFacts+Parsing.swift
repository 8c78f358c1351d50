import Foundation
import SwiftASN1
import X509

// Decoding strategy
// -----------------
// swift-certificates' `Certificate(derEncoded:)` refuses exactly the certificates this tool most
// needs to report: it builds a swift-crypto key from the SubjectPublicKeyInfo, and `_RSA` rejects
// moduli under 2048 bits; it also throws for key types it has no backing for (DSA, Ed448, explicit
// EC parameters, …) and for signature algorithms it cannot verify (MD5, RSASSA-PSS,
// ecdsa-with-SHA1, DSA, …).
//
// So the facts are always read by walking the RFC 5280 structure with swift-asn1's DER parser
// (`DER.parse`, `DER.sequence`, typed swift-asn1 values) and decoding the pieces with the public
// swift-certificates types that do not touch keys: `DistinguishedName`, `Certificate.Extension`,
// `SubjectAlternativeNames`, `SubjectKeyIdentifier`, `AuthorityKeyIdentifier`. Key sizes come from
// the SubjectPublicKeyInfo's own DER (RSA modulus, DSA p, EC named-curve OID).
//
// `Certificate(derEncoded:)` is then used for the one thing it alone can do: verify the signature
// of a certificate whose subject equals its issuer. When it cannot load the certificate, the
// self-signed test falls back to comparing key identifiers.

extension CertificateFacts {
    /// Decodes the facts from one DER-encoded X.509 certificate.
    ///
    /// - Throws: `.tooLarge` for input over `maximumDERSize` bytes, `.malformed` for anything
    ///   that is not a DER certificate (including a subjectAltName extension that does not decode).
    public init(der: [UInt8]) throws(ParseError) {
        guard der.count <= Self.maximumDERSize else {
            throw ParseError(.tooLarge, "certificate of \(der.count) bytes exceeds \(Self.maximumDERSize)")
        }
        guard !der.isEmpty else { throw .malformed("empty certificate") }
        do {
            self = try Self.decode(der)
        } catch let error as ParseError {
            throw error
        } catch {
            throw .malformed("certificate: \(String(String(describing: error).prefix(200)))")
        }
    }

    private static func decode(_ der: [UInt8]) throws -> CertificateFacts {
        let root = try DER.parse(der)
        // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
        let (tbs, signatureOID) = try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next(), let algorithmNode = nodes.next(), let signatureNode = nodes.next()
            else { throw ParseError.malformed("certificate needs three elements") }
            let tbs = try TBS(derEncoded: tbsNode)
            let algorithm = try AlgorithmID(derEncoded: algorithmNode)
            _ = try ASN1BitString(derEncoded: signatureNode)
            return (tbs, algorithm.oid)
        }

        var truncated = 0
        func cap(_ text: String) -> String {
            if text.unicodeScalars.count > maximumTextLength { truncated += 1 }
            return capped(text)
        }
        var subjectAltNames: [String] = []
        if let extensionValue = tbs.extensions.first(where: { $0.oid == .X509ExtensionID.subjectAlternativeName }) {
            for name in try SubjectAlternativeNames(extensionValue) {
                guard subjectAltNames.count < maximumSubjectAltNames else {
                    truncated += 1
                    break
                }
                switch name {
                case .dnsName(let dnsName):
                    subjectAltNames.append(cap(dnsName))
                case .ipAddress(let octets):
                    if let text = formatIPAddress(octets.bytes) { subjectAltNames.append(text) }
                default:
                    continue
                }
            }
        }

        let key = describeKey(algorithm: tbs.keyAlgorithm, key: tbs.keyBits)
        var facts = CertificateFacts(
            subject: cap(distinguishedNameText(tbs.subject)),
            issuer: cap(distinguishedNameText(tbs.issuer)),
            commonName: commonName(of: tbs.subject).map(cap),
            subjectAltNames: subjectAltNames,
            notBefore: tbs.notBefore,
            notAfter: tbs.notAfter,
            serialNumber: hexSerial(tbs.serial),
            keyType: key.type,
            keyBits: key.bits,
            curve: key.curve,
            signatureAlgorithm: signatureAlgorithmName(signatureOID),
            isSelfSigned: isSelfSigned(der: der, tbs: tbs)
        )
        facts.truncatedFields = truncated
        return facts
    }

    // MARK: Self-signed

    private static func isSelfSigned(der: [UInt8], tbs: TBS) -> Bool {
        guard tbs.subject == tbs.issuer else { return false }
        // Only swift-certificates can verify; it loads RSA ≥ 2048, P-256/384/521 and Ed25519 keys
        // with the signature algorithms it supports, and throws for everything else.
        if let certificate = swiftCertificatesCertificate(der) {
            return certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        }
        let subjectKeyID = tbs.extensions
            .first { $0.oid == .X509ExtensionID.subjectKeyIdentifier }
            .flatMap { try? SubjectKeyIdentifier($0) }?.keyIdentifier
        let authorityKeyID = tbs.extensions
            .first { $0.oid == .X509ExtensionID.authorityKeyIdentifier }
            .flatMap { try? AuthorityKeyIdentifier($0) }?.keyIdentifier
        if let subjectKeyID, let authorityKeyID {
            return subjectKeyID.elementsEqual(authorityKeyID)
        }
        return true
    }

    /// swift-certificates' own decoding, which also builds the swift-crypto key and signature;
    /// `nil` for what it refuses (RSA < 2048 bits, DSA, Ed448, MD5, RSASSA-PSS, …).
    static func swiftCertificatesCertificate(_ der: [UInt8]) -> Certificate? {
        try? Certificate(derEncoded: der)
    }

    // MARK: Names

    /// Short names RFC 4514 §3 and common practice (OpenSSL) use for attribute types.
    private static let attributeShortNames: [ASN1ObjectIdentifier: String] = [
        [2, 5, 4, 3]: "CN", [2, 5, 4, 6]: "C", [2, 5, 4, 7]: "L", [2, 5, 4, 8]: "ST", [2, 5, 4, 9]: "STREET",
        [2, 5, 4, 10]: "O", [2, 5, 4, 11]: "OU", [2, 5, 4, 5]: "serialNumber", [2, 5, 4, 4]: "SN",
        [2, 5, 4, 42]: "GN", [2, 5, 4, 12]: "title", [2, 5, 4, 17]: "postalCode", [2, 5, 4, 15]: "businessCategory",
        [0, 9, 2342, 19_200_300, 100, 1, 25]: "DC", [0, 9, 2342, 19_200_300, 100, 1, 1]: "UID",
        [1, 2, 840, 113_549, 1, 9, 1]: "emailAddress",
        [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3]: "jurisdictionC",
    ]

    /// RFC 4514 text, most specific RDN first (as OpenSSL's `-nameopt RFC2253` prints it), with every
    /// string type decoded, including the legacy ones swift-certificates leaves as raw ASN.1.
    static func distinguishedNameText(_ name: DistinguishedName) -> String {
        var parts: [String] = []
        for rdn in name.reversed() {
            let attributes = rdn.map { attribute -> String in
                let type = attributeShortNames[attribute.type] ?? attribute.type.description
                let value = text(of: attribute.value) ?? "#" + hex(of: attribute.value)
                return type + "=" + escapeRFC4514(value)
            }
            parts.append(attributes.joined(separator: "+"))
        }
        return parts.joined(separator: ",")
    }

    private static func hex(of value: RelativeDistinguishedName.Attribute.Value) -> String {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(value))) != nil else { return "" }
        return serializer.serializedBytes.prefix(64).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// `,` `+` `"` `\\` `<` `>` `;` `=`
    private static let rfc4514Special: Set<UInt8> = [0x2C, 0x2B, 0x22, 0x5C, 0x3C, 0x3E, 0x3B, 0x3D]

    /// RFC 4514 §2.4: escape the special characters, a leading space or '#', and a trailing space.
    private static func escapeRFC4514(_ value: String) -> String {
        let special = rfc4514Special
        let utf8 = value.utf8
        if !utf8.contains(where: special.contains), utf8.first != 0x23, utf8.first != 0x20, utf8.last != 0x20 {
            return value
        }
        var out = ""
        for (index, character) in value.enumerated() {
            switch character {
            case ",", "+", "\"", "\\", "<", ">", ";", "=": out += "\\" + String(character)
            case "#" where index == 0, " " where index == 0: out += "\\" + String(character)
            default: out.append(character)
            }
        }
        if out.hasSuffix(" ") { out = String(out.dropLast()) + "\\ " }
        return out
    }

    /// The last (most specific) commonName attribute of `name`.
    private static func commonName(of name: DistinguishedName) -> String? {
        var found: String?
        for rdn in name {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                found = text(of: attribute.value)
            }
        }
        return found
    }

    /// swift-certificates yields text for UTF8String, PrintableString and IA5String; the legacy
    /// BMPString, UniversalString and TeletexString are decoded here.
    private static func text(of value: RelativeDistinguishedName.Attribute.Value) -> String? {
        if let string = String(value) { return string }
        let any = ASN1Any(value)
        if let bmp = try? ASN1BMPString(asn1Any: any) {
            let bytes = Array(bmp.bytes)
            var units: [UInt16] = []
            var index = 0
            while index + 1 < bytes.count {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        if let universal = try? ASN1UniversalString(asn1Any: any) {
            let bytes = Array(universal.bytes)
            var scalars = String.UnicodeScalarView()
            var index = 0
            while index + 3 < bytes.count {
                let value =
                    UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16
                    | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                index += 4
            }
            return String(scalars)
        }
        if let teletex = try? ASN1TeletexString(asn1Any: any) {
            // In practice T61String fields hold Latin-1.
            return String(String.UnicodeScalarView(teletex.bytes.map { Unicode.Scalar($0) }))
        }
        return nil
    }

    static func capped(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > maximumTextLength else { return text }
        return String(String.UnicodeScalarView(scalars.prefix(maximumTextLength)))
    }

    private static func hexSerial(_ content: ArraySlice<UInt8>) -> String {
        var octets = content
        // Drop the sign octet of a positive number (DER allows at most one leading zero).
        if octets.count > 1, octets.first == 0 { octets = octets.dropFirst() }
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        for octet in octets.prefix(maximumSerialHexLength / 2) {
            text.append(digits[Int(octet >> 4)])
            text.append(digits[Int(octet & 0x0F)])
        }
        return text
    }

    // MARK: Keys

    private static func describeKey(algorithm: AlgorithmID, key: ASN1BitString) -> (
        type: String, bits: Int?, curve: String?
    ) {
        switch algorithm.oid {
        case OID.rsaEncryption, OID.rsassaPSS:
            return ("RSA", rsaModulusBits(key.bytes), nil)
        case OID.ecPublicKey:
            guard let parameters = algorithm.parameters,
                let curveOID = try? ASN1ObjectIdentifier(asn1Any: parameters)
            else { return ("EC", nil, nil) }
            if let known = namedCurves[curveOID] { return ("EC", known.bits, known.name) }
            return ("EC", nil, curveOID.description)
        case OID.ed25519:
            return ("Ed25519", 256, nil)
        case OID.ed448:
            return ("Ed448", 456, nil)
        case OID.dsa:
            return ("DSA", algorithm.parameters.flatMap(dsaPrimeBits), nil)
        default:
            if let algorithm = postQuantumAlgorithms[algorithm.oid] {
                // Sized like Ed25519 and Ed448: the public key's length in bits (ML-DSA-44: 1312 bytes).
                return (algorithm.name, key.bytes.count * 8, nil)
            }
            return (algorithm.oid.description, nil, nil)
        }
    }

    /// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    private static func rsaModulusBits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let node = try? DER.parse(bytes) else { return nil }
        return try? DER.sequence(node, identifier: .sequence) { nodes in
            let modulus = try ArraySlice<UInt8>(derEncoded: &nodes)
            _ = try ArraySlice<UInt8>(derEncoded: &nodes)
            return bitLength(modulus)
        }
    }

    /// Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }
    private static func dsaPrimeBits(_ parameters: ASN1Any) -> Int? {
        (try? DSSParameters(asn1Any: parameters)).flatMap { bitLength($0.p) }
    }

    /// Bit length of an unsigned big-endian integer.
    static func bitLength(_ magnitude: ArraySlice<UInt8>) -> Int? {
        guard let firstIndex = magnitude.firstIndex(where: { $0 != 0 }) else { return nil }
        let significant = magnitude.distance(from: firstIndex, to: magnitude.endIndex)
        return (significant - 1) * 8 + (8 - magnitude[firstIndex].leadingZeroBitCount)
    }

    // MARK: Algorithm names

    private enum OID {
        static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
        static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]
        static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
        static let ed448: ASN1ObjectIdentifier = [1, 3, 101, 113]
        static let dsa: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]
    }

    private static let namedCurves: [ASN1ObjectIdentifier: (name: String, bits: Int)] = [
        [1, 2, 840, 10045, 3, 1, 7]: ("secp256r1", 256),
        [1, 3, 132, 0, 34]: ("secp384r1", 384),
        [1, 3, 132, 0, 35]: ("secp521r1", 521),
        [1, 3, 132, 0, 33]: ("secp224r1", 224),
        [1, 2, 840, 10045, 3, 1, 1]: ("secp192r1", 192),
        [1, 3, 132, 0, 10]: ("secp256k1", 256),
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 7]: ("brainpoolP256r1", 256),
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 11]: ("brainpoolP384r1", 384),
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 13]: ("brainpoolP512r1", 512),
    ]

    private static let signatureAlgorithms: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 113549, 1, 1, 2]: "md2WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 3]: "md4WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 4]: "md5WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 5]: "sha1WithRSAEncryption",
        [1, 3, 14, 3, 2, 29]: "sha1WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 14]: "sha224WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 11]: "sha256WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 12]: "sha384WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 13]: "sha512WithRSAEncryption",
        [1, 2, 840, 113549, 1, 1, 10]: "rsassa-pss",
        [1, 2, 840, 10045, 4, 1]: "ecdsa-with-SHA1",
        [1, 2, 840, 10045, 4, 3, 1]: "ecdsa-with-SHA224",
        [1, 2, 840, 10045, 4, 3, 2]: "ecdsa-with-SHA256",
        [1, 2, 840, 10045, 4, 3, 3]: "ecdsa-with-SHA384",
        [1, 2, 840, 10045, 4, 3, 4]: "ecdsa-with-SHA512",
        [1, 3, 101, 112]: "ed25519",
        [1, 3, 101, 113]: "ed448",
        [1, 2, 840, 10040, 4, 3]: "dsa-with-SHA1",
        [2, 16, 840, 1, 101, 3, 4, 3, 1]: "dsa-with-SHA224",
        [2, 16, 840, 1, 101, 3, 4, 3, 2]: "dsa-with-SHA256",
    ]

    private static func signatureAlgorithmName(_ oid: ASN1ObjectIdentifier) -> String {
        signatureAlgorithms[oid] ?? postQuantumAlgorithms[oid]?.name ?? oid.description
    }
}

// MARK: - Structure walk

/// Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } (RFC 3279 §2.3.2)
private struct DSSParameters: DERImplicitlyTaggable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var p: ArraySlice<UInt8>
    var q: ArraySlice<UInt8>
    var g: ArraySlice<UInt8>

    init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        (p, q, g) = try DER.sequence(node, identifier: identifier) { nodes in
            (
                try ArraySlice<UInt8>(derEncoded: &nodes), try ArraySlice<UInt8>(derEncoded: &nodes),
                try ArraySlice<UInt8>(derEncoded: &nodes)
            )
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(p)
            try coder.serialize(q)
            try coder.serialize(g)
        }
    }
}

/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
private struct AlgorithmID: DERImplicitlyTaggable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var oid: ASN1ObjectIdentifier
    var parameters: ASN1Any?

    init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        (oid, parameters) = try DER.sequence(node, identifier: identifier) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            return (oid, nodes.next().map { ASN1Any(derEncoded: $0) })
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(oid)
            if let parameters { try coder.serialize(parameters) }
        }
    }
}

/// The TBSCertificate fields the facts need (RFC 5280 §4.1), decoded without building a key.
private struct TBS {
    var serial: ArraySlice<UInt8>
    var issuer: DistinguishedName
    var subject: DistinguishedName
    var notBefore: Date
    var notAfter: Date
    var keyAlgorithm: AlgorithmID
    var keyBits: ASN1BitString
    var extensions: [Certificate.Extension]

    private static let issuerUniqueIDTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let subjectUniqueIDTag = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)
    private static let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)

    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try DER.decodeDefaultExplicitlyTagged(
                &nodes, tagNumber: 0, tagClass: .contextSpecific, defaultValue: Int(0))
            guard (0...2).contains(version) else { throw ParseError.malformed("X.509 version \(version)") }

            // CertificateSerialNumber ::= INTEGER. Taken as raw content octets: negative and
            // over-long serials exist in the wild and are worth reporting, not rejecting.
            guard let serialNode = nodes.next(), serialNode.identifier == .integer,
                case .primitive(let serial) = serialNode.content, !serial.isEmpty
            else { throw ParseError.malformed("certificate serial number") }

            _ = try AlgorithmID(derEncoded: &nodes)  // inner signature algorithm
            let issuer = try Self.name(&nodes)
            let (notBefore, notAfter) = try Self.validity(&nodes)
            let subject = try Self.name(&nodes)

            // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
            guard let spkiNode = nodes.next() else { throw ParseError.malformed("missing subjectPublicKeyInfo") }
            let (keyAlgorithm, keyBits) = try DER.sequence(spkiNode, identifier: .sequence) { spki in
                (try AlgorithmID(derEncoded: &spki), try ASN1BitString(derEncoded: &spki))
            }

            var extensions: [Certificate.Extension] = []
            var seenExtensions = false
            var lastTag: UInt = 0
            while let next = nodes.next() {
                guard next.identifier.tagClass == .contextSpecific, next.identifier.tagNumber > lastTag else {
                    throw ParseError.malformed("unexpected TBSCertificate field \(next.identifier)")
                }
                lastTag = next.identifier.tagNumber
                switch next.identifier {
                case Self.issuerUniqueIDTag, Self.subjectUniqueIDTag:
                    continue  // [1]/[2] IMPLICIT UniqueIdentifier: not reported
                case Self.extensionsTag where !seenExtensions:
                    seenExtensions = true
                    extensions = try DER.explicitlyTagged(next, tagNumber: 3, tagClass: .contextSpecific) {
                        try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
                    }
                default:
                    throw ParseError.malformed("unexpected TBSCertificate field \(next.identifier)")
                }
            }
            return TBS(
                serial: serial, issuer: issuer, subject: subject, notBefore: notBefore, notAfter: notAfter,
                keyAlgorithm: keyAlgorithm, keyBits: keyBits, extensions: extensions)
        }
    }

    private init(
        serial: ArraySlice<UInt8>, issuer: DistinguishedName, subject: DistinguishedName, notBefore: Date,
        notAfter: Date, keyAlgorithm: AlgorithmID, keyBits: ASN1BitString, extensions: [Certificate.Extension]
    ) {
        self.serial = serial
        self.issuer = issuer
        self.subject = subject
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.keyAlgorithm = keyAlgorithm
        self.keyBits = keyBits
        self.extensions = extensions
    }

    /// Name ::= RDNSequence. Decoded through the node initializer: swift-certificates deprecates
    /// the implicitly-tagged (iterator) path for names.
    private static func name(_ nodes: inout ASN1NodeCollection.Iterator) throws -> DistinguishedName {
        guard let node = nodes.next() else { throw ParseError.malformed("missing name") }
        return try DistinguishedName(derEncoded: node)
    }

    /// Validity ::= SEQUENCE { notBefore Time, notAfter Time }; Time ::= CHOICE { UTCTime, GeneralizedTime }
    private static func validity(_ nodes: inout ASN1NodeCollection.Iterator) throws -> (Date, Date) {
        guard let node = nodes.next() else { throw ParseError.malformed("missing validity") }
        return try DER.sequence(node, identifier: .sequence) { times in
            guard let first = times.next(), let second = times.next() else {
                throw ParseError.malformed("validity needs two times")
            }
            return (try date(first), try date(second))
        }
    }

    private static func date(_ node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            return epochDate(
                year: time.year, month: time.month, day: time.day,
                hours: time.hours, minutes: time.minutes, seconds: time.seconds, fraction: 0)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            return epochDate(
                year: time.year, month: time.month, day: time.day,
                hours: time.hours, minutes: time.minutes, seconds: time.seconds,
                fraction: time.fractionalSeconds)
        default:
            throw ParseError.malformed("validity time of type \(node.identifier)")
        }
    }

    /// Proleptic Gregorian UTC → Date. swift-asn1 has already range-checked every field
    /// (years 0…9999), so the arithmetic cannot overflow.
    private static func epochDate(
        year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int, fraction: Double
    ) -> Date {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let total = days * 86_400 + hours * 3_600 + minutes * 60 + seconds
        let fractional = fraction.isFinite && fraction >= 0 && fraction < 1 ? fraction : 0
        return Date(timeIntervalSince1970: Double(total) + fractional)
    }
}
