import Foundation
import TLSTopCore

/// Numbers as people scan them.
enum Format {
    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// 8200 → "8.2k", 3400000 → "3.4M".
    static func compact(_ value: Double) -> String {
        switch value {
        case ..<1000: return String(format: "%.0f", value)
        case ..<1_000_000: return String(format: "%.1fk", value / 1000)
        default: return String(format: "%.1fM", value / 1_000_000)
        }
    }

    /// The key-exchange cell: the kind and the group ("ECDHE x25519", "DHE ffdhe2048"), a hybrid
    /// or post-quantum group by its name alone (it says what it is), else what the suite names
    /// ("RSA (static)", "DHE"); "–" when nothing says.
    static func keyExchange(group: NamedGroup?, cipher: CipherSuite?) -> String {
        if let group {
            switch group.kind {
            case .finiteField: return "DHE \(group.name)"
            case .ellipticCurve: return "ECDHE \(group.name)"
            case .postQuantumHybrid, .postQuantum, .unknown: return group.name
            }
        }
        switch KeyExchange.of(group: nil, cipher: cipher) {
        case .rsa?: return "RSA (static)"
        case .dh?: return "DH (static)"
        case .ecdh?: return "ECDH (static)"
        case .dhe?, .dhePSK?: return "DHE"
        case .ecdhe?, .ecdhePSK?: return "ECDHE"
        case .psk?, .rsaPSK?: return "PSK"
        default: return "–"
        }
    }
}
