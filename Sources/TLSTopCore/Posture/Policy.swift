/// What "good enough" means: which versions, suites and groups a profile accepts, the key-size
/// thresholds, how severe each finding is, and which rule of which standard each finding comes
/// from. The built-in profiles are in `Policy+Profiles.swift`; a policy file can adjust any of it.
public struct Policy: Sendable, Equatable {
    public enum Profile: String, Sendable, CaseIterable {
        /// Mozilla Server Side TLS 6.0.
        case modern, intermediate
        /// Mozilla Server Side TLS 5.7 "old", which 6.0 retired.
        case legacy
        case nistSP800r2 = "nist-sp800-52r2"
        case pciDSS4 = "pci-dss-4"
        case bsiTR02102 = "bsi-tr-02102-2"
        case cnsa2 = "cnsa-2.0"

        /// The profile a name on the command line or in a policy file means, with a one-line notice
        /// when the name is a retired alias (`old`, Mozilla's 5.x profile, now `legacy`).
        public static func named(_ name: String) -> (profile: Profile, notice: String?)? {
            if name == "old" {
                return (.legacy, "policy 'old' is Mozilla's retired Server Side TLS 5.x profile; using 'legacy'")
            }
            return Profile(rawValue: name).map { ($0, nil) }
        }

        /// The document the profile follows, as docs and reports cite it.
        public var standard: String {
            switch self {
            case .modern: "Mozilla Server Side TLS 6.0 (modern)"
            case .intermediate: "Mozilla Server Side TLS 6.0 (intermediate)"
            case .legacy: "Mozilla Server Side TLS 5.7 (old, retired in 6.0)"
            case .nistSP800r2: "NIST SP 800-52 Rev. 2"
            case .pciDSS4: "PCI DSS v4.0.1"
            case .bsiTR02102: "BSI TR-02102-2 (2026-01)"
            case .cnsa2: "NSA CNSA 2.0"
            }
        }
    }

    /// Dates past which a profile stops accepting something it accepts today (BSI TR-02102-2's
    /// "until end of 2031"). A connection is judged at the time it was seen, so a capture file gives
    /// the same verdict on any day.
    public struct Sunsets: Sendable, Equatable {
        /// After this, TLS 1.2 is no longer accepted (`tls12` at the profile's TLS 1.0 severity).
        public var tls12: Timestamp?
        /// After this, finite-field DHE suites are outside the profile (`cipher-not-in-profile`).
        public var finiteFieldDHE: Timestamp?
        /// After this, a classical-only key exchange is no longer accepted (`not-pq` raised to warn).
        public var classicalKeyExchange: Timestamp?

        public init(tls12: Timestamp? = nil, finiteFieldDHE: Timestamp? = nil, classicalKeyExchange: Timestamp? = nil) {
            self.tls12 = tls12
            self.finiteFieldDHE = finiteFieldDHE
            self.classicalKeyExchange = classicalKeyExchange
        }
    }

    public var name: String
    public var profile: Profile
    public var allowedVersions: Set<ProtocolVersion>
    /// Cipher suites the profile lists, TLS 1.3 and TLS ≤ 1.2 together.
    public var allowedCipherSuites: Set<CipherSuite>
    public var allowedGroups: Set<NamedGroup>
    public var minimumRSABits: Int
    public var minimumDHBits: Int
    public var minimumECBits: Int
    /// A certificate expiring within this many days raises `cert-expiring-soon`.
    public var certificateExpiryWarningDays: Int
    /// The NIST security category (FIPS 204/205: ML-DSA-44 is 2, -65 is 3, -87 is 5) a post-quantum
    /// certificate key needs; a classical key, or a weaker post-quantum one, raises `not-pq-auth`.
    public var minimumPQSignatureCategory: Int = 1
    /// Whether post-quantum groups outside `allowedGroups` are `group-not-in-profile` too (CNSA 2.0
    /// accepts ML-KEM-1024 only); other profiles let `pq` speak for every post-quantum group.
    public var restrictsPostQuantumGroups = false
    public var sunsets = Sunsets()
    public var severities: [FindingID: Severity] {
        didSet { levels = FindingSeverities(severities) }
    }
    /// `severities` by catalogue index, two bits an id: every finding of every judged connection
    /// asks for its severity, and the dictionary hashed for each.
    private var levels: FindingSeverities
    /// The rule of the profile's standard each finding comes from, where it has one of its own.
    public var references: [FindingID: String] = [:]

    init(
        name: String, profile: Profile, allowedVersions: Set<ProtocolVersion>, allowedCipherSuites: Set<CipherSuite>,
        allowedGroups: Set<NamedGroup>, minimumRSABits: Int, minimumDHBits: Int, minimumECBits: Int,
        certificateExpiryWarningDays: Int, severities: [FindingID: Severity]
    ) {
        self.name = name
        self.profile = profile
        self.allowedVersions = allowedVersions
        self.allowedCipherSuites = allowedCipherSuites
        self.allowedGroups = allowedGroups
        self.minimumRSABits = minimumRSABits
        self.minimumDHBits = minimumDHBits
        self.minimumECBits = minimumECBits
        self.certificateExpiryWarningDays = certificateExpiryWarningDays
        self.severities = severities
        self.levels = FindingSeverities(severities)
    }

    /// The severity the policy gives `id`; `info` for one it does not name.
    public func severity(of id: FindingID) -> Severity { levels[id] ?? severities[id] ?? .info }

    /// Whether the policy reports `id` at all: checks that cost something are skipped when not.
    func reports(_ id: FindingID) -> Bool { severity(of: id) > .ok }

    /// The citation a finding carries under this policy: the profile's rule, else the finding's
    /// general reference (an RFC).
    public func reference(of id: FindingID) -> String {
        references[id].map { $0.isEmpty ? profile.standard : "\(profile.standard) \($0)" } ?? id.reference
    }

    public static let intermediate = builtIn(.intermediate)
}
