import FuzzSupport
import TLSTopCore

/// The key log parser (`--keylog`): any bytes, read in pieces as a live log is, must never trap,
/// the counts must add up, and a secret must never show in a description.
///
/// Input: the file's bytes. The first byte picks where the bytes are cut into reads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyLog(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    let keyLog = KeyLog(capacity: 64)
    let step = max(1, Int(input.first ?? 1))
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + step)
        keyLog.ingest(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
        offset = end
    }
    keyLog.finish()
    let counts = keyLog.counts
    guard counts.secrets + counts.ignored + counts.malformed == counts.lines else {
        fatalError("key log counts do not add up: \(counts)")
    }
    // Every well-formed handshake secret line can be found again (when nothing was evicted).
    guard counts.evicted == 0 else { return 0 }
    for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard fields.count == 3, fields[1].count == 64, fields[2].count == 64 || fields[2].count == 96,
            let label = String(validating: Array(fields[0]), as: UTF8.self),
            label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET" || label == "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            let random = hex(fields[1]).flatMap(ClientRandom.init), hex(fields[2]) != nil
        else { continue }
        guard let secrets = keyLog.secrets(for: random) else { fatalError("a well-formed line was lost") }
        let description = "\(secrets) \(String(reflecting: secrets))".lowercased()
        if let client = secrets.client, description.contains(hexText(client)) { fatalError("secret in description") }
    }
    return 0
}

private func hex(_ text: some Sequence<UInt8>) -> [UInt8]? {
    var bytes: [UInt8] = []
    var high: UInt8?
    for character in text {
        let value: UInt8
        switch character {
        case 0x30...0x39: value = character - 0x30
        case 0x41...0x46: value = character - 0x37
        case 0x61...0x66: value = character - 0x57
        default: return nil
        }
        if let pending = high {
            bytes.append(pending << 4 | value)
            high = nil
        } else {
            high = value
        }
    }
    return bytes
}

private func hexText(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}
