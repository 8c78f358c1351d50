/// Splits a fuzzer's input into records: a control byte, a big-endian 16-bit length and that many
/// bytes. A record whose length runs past the end takes what is left, so every input means
/// something and the fuzzer does not waste executions on framing.
///
/// The control byte's meaning is the target's own (direction, time step, mode).
public struct FuzzRecords: Sequence, IteratorProtocol {
    public struct Record {
        public var control: UInt8
        public var bytes: UnsafeRawBufferPointer
    }

    private let input: UnsafeRawBufferPointer
    private var offset = 0

    public init(_ input: UnsafeRawBufferPointer) {
        self.input = input
    }

    public mutating func next() -> Record? {
        guard input.count - offset >= 3 else { return nil }
        let control = input[offset]
        let declared = Int(input[offset + 1]) << 8 | Int(input[offset + 2])
        let start = offset + 3
        let length = Swift.min(declared, input.count - start)
        offset = start + length
        return Record(control: control, bytes: UnsafeRawBufferPointer(rebasing: input[start..<(start + length)]))
    }
}

/// The entry point every target implements: libFuzzer calls it once per input.
public typealias FuzzInput = UnsafeRawBufferPointer

extension UnsafeRawBufferPointer {
    /// The fuzzer's `(pointer, count)` pair as a buffer (an empty input has no pointer).
    public init(fuzzData data: UnsafePointer<UInt8>?, count: Int) {
        self.init(start: count > 0 ? data : nil, count: count)
    }
}
