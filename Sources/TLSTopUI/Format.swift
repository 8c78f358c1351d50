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

extension Format {
    /// A cipher suite as the panes show it, in the OpenSSL style people know from `openssl
    /// ciphers`: `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` → `ECDHE-RSA-AES128-GCM-SHA256`, a TLS 1.3
    /// suite without its `TLS_` (`AES128-GCM-SHA256`), anonymous Diffie-Hellman as `ADH`/`AECDH`.
    /// Derived from the IANA name, so every registered suite has one; the detail pane and the
    /// exports keep the IANA name. A value with no name (`0x1234`, `GREASE`) stays as it is.
    static func shortCipher(_ suite: CipherSuite) -> String {
        shortCipher(name: suite.name)
    }

    static func shortCipher(name: String) -> String {
        guard name.hasPrefix("TLS_") || name.hasPrefix("SSL_") else { return name }
        let body = String(name.dropFirst(4))
        guard let with = body.range(of: "_WITH_") else { return shortCipherPart(body) }
        let exchange = String(body[..<with.lowerBound])
        let protection = shortCipherPart(String(body[with.upperBound...]))
        let anonymous = ["DH_anon": "ADH", "ECDH_anon": "AECDH", "DH_anon_EXPORT": "EXP-ADH"]
        return (anonymous[exchange] ?? exchange.replacingOccurrences(of: "_", with: "-")) + "-" + protection
    }

    /// `AES_128_GCM_SHA256` → `AES128-GCM-SHA256`: a key size joins the cipher it sizes, `CCM_8`
    /// becomes `CCM8`, and RC4's size (always 128 bits here, or 40 when exported) is dropped.
    private static func shortCipherPart(_ part: String) -> String {
        var words: [String] = []
        for word in part.split(separator: "_").map(String.init) {
            let previous = words.last ?? ""
            let isSize = !word.isEmpty && word.allSatisfy(\.isNumber)
            if isSize, previous == "RC4" || previous == "RC2" {
                continue
            } else if isSize, !previous.isEmpty, previous.last?.isLetter == true, previous != "SHA" {
                words[words.count - 1] += word
            } else {
                words.append(word)
            }
        }
        return words.joined(separator: "-")
    }
}
