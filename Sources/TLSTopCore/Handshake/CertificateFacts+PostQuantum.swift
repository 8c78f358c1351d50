import SwiftASN1

/// Post-quantum signature algorithms in certificates: ML-DSA (FIPS 204) and SLH-DSA (FIPS 205),
/// whose OIDs name both the key and the signature (NIST CSOR, "sigAlgs" arc 2.16.840.1.101.3.4.3).
extension CertificateFacts {
    struct PostQuantumAlgorithm: Sendable {
        let name: String
        /// NIST security category: 1 (AES-128) to 5 (AES-256).
        let category: Int
    }

    static let postQuantumAlgorithms: [ASN1ObjectIdentifier: PostQuantumAlgorithm] = {
        let arc: [UInt] = [2, 16, 840, 1, 101, 3, 4, 3]
        let table: [(UInt, String, Int)] = [
            (17, "ML-DSA-44", 2), (18, "ML-DSA-65", 3), (19, "ML-DSA-87", 5),
            (20, "SLH-DSA-SHA2-128s", 1), (21, "SLH-DSA-SHA2-128f", 1),
            (22, "SLH-DSA-SHA2-192s", 3), (23, "SLH-DSA-SHA2-192f", 3),
            (24, "SLH-DSA-SHA2-256s", 5), (25, "SLH-DSA-SHA2-256f", 5),
            (26, "SLH-DSA-SHAKE-128s", 1), (27, "SLH-DSA-SHAKE-128f", 1),
            (28, "SLH-DSA-SHAKE-192s", 3), (29, "SLH-DSA-SHAKE-192f", 3),
            (30, "SLH-DSA-SHAKE-256s", 5), (31, "SLH-DSA-SHAKE-256f", 5),
        ]
        var algorithms: [ASN1ObjectIdentifier: PostQuantumAlgorithm] = [:]
        for (last, name, category) in table {
            guard let oid = try? ASN1ObjectIdentifier(elements: arc + [last]) else { continue }
            algorithms[oid] = PostQuantumAlgorithm(name: name, category: category)
        }
        return algorithms
    }()

    /// The NIST security category of a post-quantum certificate key (ML-DSA-87 is 5); 0 for a
    /// classical key (RSA, EC, EdDSA, DSA), which a quantum computer could forge signatures for.
    public var postQuantumCategory: Int {
        // Every post-quantum name starts "ML-" or "SLH-": classical keys skip the lookup.
        guard let first = keyType.utf8.first, first == UInt8(ascii: "M") || first == UInt8(ascii: "S") else { return 0 }
        return Self.postQuantumCategories[keyType] ?? 0
    }

    private static let postQuantumCategories: [String: Int] = Dictionary(
        postQuantumAlgorithms.values.map { ($0.name, $0.category) }, uniquingKeysWith: max)
}
