extension CipherSuiteInfo {
    /// A suite no client should offer today: no encryption, no authentication, export grade, RC4,
    /// or DES/3DES.
    public var isWeak: Bool { isNullCipher || isAnonymous || isExport || isRC4 || isDES || isTripleDES }
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
