/// What a QUIC flow's analysis keeps: the version, the Initial keys (re-derived after a Retry or a
/// new client connection ID), and the two CRYPTO streams.
///
/// A class, not a struct: 240 bytes that only QUIC flows need stay out of every analyzer.
final class QUICState {
    var version: QUICVersion
    var clientConnectionID: [UInt8] = []
    var clientKeys: QUICInitialKeys?
    var serverKeys: QUICInitialKeys?
    var clientCrypto = CryptoStream()
    var serverCrypto = CryptoStream()
    /// With a key log: the Handshake packet keys and CRYPTO streams (offsets start again at 0).
    var clientHandshakeKeys: QUICHandshakeKeys?
    var serverHandshakeKeys: QUICHandshakeKeys?
    var clientHandshakeCrypto = CryptoStream()
    var serverHandshakeCrypto = CryptoStream()
    var datagrams = 0
    var authenticationFailures = 0

    init(version: QUICVersion) { self.version = version }

    /// Datagrams examined at most before giving up on a handshake that never shows.
    static let maximumDatagrams = 64
}
