/// How long the unit (record, message) at the start of some bytes is.
enum UnitSize {
    /// Too few bytes to tell yet.
    case needMoreBytes
    case bytes(Int)
    /// Not a unit this framer can read (or one over its cap): the direction is given up, with the
    /// violation to record, if any.
    case refused(Violation?)
    /// What starts here belongs to the stream's next mode (TLS after an upgrade).
    case foreign
}

/// What to do after a unit was processed.
enum UnitStep {
    case next
    /// The direction is finished (already released by the processor).
    case stop
    /// The stream changed mode (an upgrade, an encrypted handshake): the rest of the input is not
    /// this framer's.
    case handOff
}

/// What feeding a segment came to.
enum UnitOutcome {
    /// Every byte was taken; a cut unit may be held for the next segment.
    case needMoreBytes
    case stopped
    case refused(Violation?)
    /// The stream changed mode; these bytes are for its next reader.
    case handOff(UnsafeRawBufferPointer)
    /// The same, when held bytes come first (copied).
    case handOffCopy([UInt8])
}

/// The one place that completes units cut by a segment boundary (TLS and SSLv2 records, handshake
/// messages, binary clear-text messages). Whole units are handed out straight from the segment,
/// without a copy; a cut unit is held until it is whole: its header bytes one at a time until its
/// size is known (headers are a few bytes), then exactly what it lacks.
struct UnitAccumulator {
    private(set) var held: [UInt8] = []

    var isEmpty: Bool { held.isEmpty }

    mutating func removeAll() { held = [] }

    /// Feeds one segment. `size` reads a unit's header; `process` gets each whole unit.
    mutating func feed(
        _ bytes: UnsafeRawBufferPointer, size: (UnsafeRawBufferPointer) -> UnitSize,
        process: (UnsafeRawBufferPointer) -> UnitStep
    ) -> UnitOutcome {
        var input = bytes[...]
        while !held.isEmpty {
            var length = 0
            sizing: while true {
                switch held.withUnsafeBytes(size) {
                case .bytes(let count):
                    length = count
                    break sizing
                case .refused(let violation):
                    held = []
                    return .refused(violation)
                case .foreign:
                    var rest: [UInt8] = []
                    swap(&rest, &held)
                    return .handOffCopy(rest + input)
                case .needMoreBytes:
                    guard let byte = input.first else { return .needMoreBytes }
                    held.append(byte)
                    input = input.dropFirst()
                }
            }
            guard length > 0 else {
                held = []
                return .refused(Violation(.emptyUnit))
            }
            if length > held.count {
                let take = min(length - held.count, input.count)
                held.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                if held.count < length { return .needMoreBytes }
            }
            // The unit may be shorter than what is held: the other direction changed what a unit
            // is while these bytes waited (an SSLRequest makes the next server byte a message).
            var unit: [UInt8] = []
            swap(&unit, &held)
            let step = unit.withUnsafeBytes { process(UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
            switch step {
            case .next:
                held = Array(unit.dropFirst(length))
            case .stop:
                return .stopped
            case .handOff:
                // Rare (a cut unit was the last of its mode): what was held past it goes first.
                let leftover = unit.dropFirst(length)
                if leftover.isEmpty { return .handOff(UnsafeRawBufferPointer(rebasing: input)) }
                return .handOffCopy(Array(leftover) + input)
            }
        }
        while !input.isEmpty {
            let available = UnsafeRawBufferPointer(rebasing: input)
            switch size(available) {
            case .needMoreBytes:
                held.append(contentsOf: input)
                return .needMoreBytes
            case .refused(let violation):
                return .refused(violation)
            case .foreign:
                return .handOff(available)
            case .bytes(let length):
                guard length > 0 else { return .refused(Violation(.emptyUnit)) }
                guard length <= input.count else {
                    held.append(contentsOf: input)
                    return .needMoreBytes
                }
                let step = process(UnsafeRawBufferPointer(rebasing: available.prefix(length)))
                input = input.dropFirst(length)
                switch step {
                case .next: continue
                case .stop: return .stopped
                case .handOff: return .handOff(UnsafeRawBufferPointer(rebasing: input))
                }
            }
        }
        return .needMoreBytes
    }
}
