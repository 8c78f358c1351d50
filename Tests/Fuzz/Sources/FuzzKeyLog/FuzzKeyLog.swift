import FuzzSupport
import TLSTopCore

/// The key log parser (`--keylog`): any bytes, read in pieces as a live log is, must never trap,
/// and what it keeps must be what the file says.
///
/// Input: two bytes of read sizes, then the file. The file is given to a small key log (so that
/// eviction runs) in reads alternating between the two sizes (0: the rest at once), and to a second
/// one in a single read. Traps when:
/// - the counts do not add up (secrets + ignored + malformed == lines), or the reads in pieces
///   counted or kept anything differently from the single read;
/// - a well-formed handshake secret line (checked by the simple reader below, the last such line
///   of its random and direction) cannot be found again with the same bytes while nothing was
///   evicted, or a secret found differs from it;
/// - more connections than the capacity came without an eviction;
/// - a description of `HandshakeSecrets` shows a secret in hexadecimal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyLog(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard input.count >= 2 else { return 0 }
    let sizes = [Int(input[0]), Int(input[1])]
    let file = UnsafeRawBufferPointer(rebasing: input.dropFirst(2))

    let keyLog = KeyLog(capacity: capacity)
    var offset = 0
    var turn = 0
    while offset < file.count {
        let size = sizes[turn & 1]
        turn += 1
        let end = size == 0 ? file.count : min(file.count, offset + size)
        keyLog.ingest(UnsafeRawBufferPointer(rebasing: file[offset..<end]))
        offset = end
    }
    keyLog.finish()
    let whole = KeyLog(capacity: capacity)
    whole.ingest(file)
    whole.finish()

    let counts = keyLog.counts
    guard counts.secrets + counts.ignored + counts.malformed == counts.lines else {
        fatalError("key log counts do not add up: \(counts)")
    }
    guard counts == whole.counts else {
        fatalError("reads in pieces counted \(counts), one read \(whole.counts)")
    }

    let expected = ExpectedSecrets(file)
    if expected.connections > capacity && counts.evicted == 0 {
        fatalError("\(expected.connections) connections in a key log of \(capacity) without an eviction")
    }
    for (random, secrets) in expected.last {
        let found = keyLog.secrets(for: random)
        if found?.client != whole.secrets(for: random)?.client || found?.server != whole.secrets(for: random)?.server {
            fatalError("reads in pieces kept other secrets than one read")
        }
        for direction in [Direction.client, .server] {
            guard case .known(let secret) = secrets[direction] else { continue }
            let kept = found?.secret(of: direction)
            if counts.evicted == 0 && kept == nil { fatalError("a well-formed \(direction) secret line was lost") }
            if let kept, kept != secret { fatalError("the \(direction) secret kept is not the last line's") }
        }
        if let found { verifyRedacted(found) }
    }
    return 0
}

/// Small enough that the fuzzer reaches eviction with a few kilobytes of lines.
private let capacity = 16

/// No description of the secrets shows them (the redaction that keeps them out of logs).
private func verifyRedacted(_ secrets: HandshakeSecrets) {
    let descriptions = [
        "\(secrets)", String(describing: secrets), String(reflecting: secrets), "\([secrets])",
        String(describing: Optional(secrets)),
    ]
    for secret in [secrets.client, secrets.server].compactMap({ $0 }) {
        let hex = Hex.encode(secret)
        for description in descriptions where description.lowercased().contains(hex) {
            fatalError("a description of HandshakeSecrets shows the secret: \(description.prefix(40))…")
        }
    }
}

/// The handshake secrets a key log file gives, read independently of tlstop's parser with a
/// deliberately narrow idea of a well-formed line: `LABEL SP 64 hex SP 64 or 96 hex`, an optional
/// CR before the newline. Only the last line of each random and direction counts; when the last
/// line naming them is anything else (spacing, tabs, odd hex, bad length), the parser under test
/// may legitimately read it or not, so that pair is not checked.
struct ExpectedSecrets {
    enum Secret {
        case known([UInt8])
        case unchecked
    }

    private(set) var last: [ClientRandom: [Direction: Secret]] = [:]
    /// Distinct randoms of well-formed lines.
    var connections: Int { connectionRandoms.count }
    private var connectionRandoms: Set<ClientRandom> = []

    init(_ file: UnsafeRawBufferPointer) {
        for line in file.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            read(line)
        }
    }

    private mutating func read(_ line: Slice<UnsafeRawBufferPointer>) {
        // What any reader of the format takes as the label and the random: the first two fields.
        let loose = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        guard loose.count >= 2, let direction = Self.direction(of: loose[0]),
            let randomBytes = Hex.decode(loose[1]), let random = ClientRandom(randomBytes)
        else { return }
        var text = line[...]
        if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        let fields = text.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard fields.count == 3, Hex.decode(fields[1]) == randomBytes,
            fields[2].count == 64 || fields[2].count == 96, let secret = Hex.decode(fields[2])
        else {
            last[random, default: [:]][direction] = .unchecked
            return
        }
        last[random, default: [:]][direction] = .known(secret)
        connectionRandoms.insert(random)
    }

    private static func direction(of label: Slice<UnsafeRawBufferPointer>) -> Direction? {
        if label.elementsEqual("CLIENT_HANDSHAKE_TRAFFIC_SECRET".utf8) { return .client }
        if label.elementsEqual("SERVER_HANDSHAKE_TRAFFIC_SECRET".utf8) { return .server }
        return nil
    }
}
