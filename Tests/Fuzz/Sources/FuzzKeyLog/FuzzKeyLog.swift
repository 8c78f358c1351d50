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

    // Index scans over the buffer rather than `split`: the generic slicing costs more than the
    // parser under test in a debug build.
    init(_ file: UnsafeRawBufferPointer) {
        var start = 0
        for index in 0...file.count where index == file.count || file[index] == UInt8(ascii: "\n") {
            read(file, start..<index)
            start = index + 1
        }
    }

    private mutating func read(_ file: UnsafeRawBufferPointer, _ line: Range<Int>) {
        // What any reader of the format takes as the label and the random: the first two fields.
        let loose = Self.fields(file, line, loose: true)
        guard loose.count >= 2, let direction = Self.direction(of: file, loose[0]),
            let randomBytes = Hex.decode(Self.bytes(file, loose[1])), let random = ClientRandom(randomBytes)
        else { return }
        var text = line
        if !text.isEmpty && file[text.upperBound - 1] == UInt8(ascii: "\r") { text = text.dropLast() }
        let fields = Self.fields(file, text, loose: false)
        guard fields.count == 3, Hex.decode(Self.bytes(file, fields[1])) == randomBytes,
            fields[2].count == 64 || fields[2].count == 96, let secret = Hex.decode(Self.bytes(file, fields[2]))
        else {
            last[random, default: [:]][direction] = .unchecked
            return
        }
        last[random, default: [:]][direction] = .known(secret)
        connectionRandoms.insert(random)
    }

    /// Loose: runs of spaces and tabs separate, empty fields dropped. Strict: each single space.
    private static func fields(_ file: UnsafeRawBufferPointer, _ line: Range<Int>, loose: Bool) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var start = line.lowerBound
        for index in line.lowerBound...line.upperBound {
            if index < line.upperBound {
                let byte = file[index]
                guard byte == UInt8(ascii: " ") || (loose && byte == UInt8(ascii: "\t")) else { continue }
            }
            if !loose || index > start { fields.append(start..<index) }
            start = index + 1
        }
        return fields
    }

    private static func bytes(_ file: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: file.baseAddress.map { $0 + range.lowerBound }, count: range.count)
    }

    private static let labels: [(label: [UInt8], direction: Direction)] = [
        (Array("CLIENT_HANDSHAKE_TRAFFIC_SECRET".utf8), .client),
        (Array("SERVER_HANDSHAKE_TRAFFIC_SECRET".utf8), .server),
    ]

    private static func direction(of file: UnsafeRawBufferPointer, _ field: Range<Int>) -> Direction? {
        for (label, direction) in labels where label.count == field.count {
            if (0..<label.count).allSatisfy({ label[$0] == file[field.lowerBound + $0] }) { return direction }
        }
        return nil
    }
}
