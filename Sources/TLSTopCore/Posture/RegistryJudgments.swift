extension CipherSuiteInfo {
    /// A suite no client should offer today: no encryption, no authentication, export grade, RC4,
    /// or DES/3DES.
    public var isWeak: Bool { isNullCipher || isAnonymous || isExport || isRC4 || isDES || isTripleDES }
}

extension CipherSuite {
    /// `info?.isWeak`, from a bit per code point made once: the posture asks it of every suite
    /// a client offers, and looking each one's info up in the registry was a tenth of judging.
    public var isWeak: Bool {
        Self.weakBits[Int(rawValue >> 6)] & (1 << UInt64(rawValue & 63)) != 0
    }

    private static let weakBits: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 1024)
        for suite in allKnown where suite.info?.isWeak == true {
            bits[Int(suite.rawValue >> 6)] |= 1 << UInt64(suite.rawValue & 63)
        }
        return bits
    }()
}

extension NamedGroup {
    /// Prime size of an RFC 7919 finite-field group.
    public var finiteFieldBits: Int? {
        switch rawValue {
        case 0x0100: 2048
        case 0x0101: 3072
        case 0x0102: 4096
        case 0x0103: 6144
        case 0x0104: 8192
        default: nil
        }
    }
}
