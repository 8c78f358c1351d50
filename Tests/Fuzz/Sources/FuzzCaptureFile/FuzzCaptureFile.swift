import FuzzSupport
import TLSTopCore

/// The capture file reader (classic pcap, pcapng with every block type) on hostile files, fed in
/// chunks of a size the first byte chooses so records and blocks are cut at every boundary, and
/// every frame it returns goes through the whole pipeline.
///
/// Input: one byte (chunk size = byte + 1; 255 reads whole), then the file. Seeds are the
/// fixtures' .pcap and .pcapng files.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureFile(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard let selector = input.first else { return 0 }
    let chunk = selector == 255 ? Int.max : Int(selector) + 1
    let file = Array(input.dropFirst())
    let analysis = TrafficAnalysis()
    do throws(CaptureFileError) {
        let reader = try CaptureFileReader(source: MemoryByteSource(file, chunk: chunk))
        var frames = 0
        while let frame = try reader.next() {
            precondition(frame.bytes.count <= file.count, "a frame larger than the file")
            analysis.ingest(
                frame: frame.bytes, linkType: frame.linkType, wireLength: frame.wireLength,
                timestamp: frame.timestamp)
            frames += 1
            precondition(frames <= file.count / 12 + 1, "more frames than the file has room for")
        }
    } catch {
        precondition(!error.reason.contains("\n"), "a multi-line error")
    }
    analysis.finish()
    SnapshotCheck.verify(analysis.snapshot(source: .init(kind: "file", name: "fuzz"), generatedAt: .zero))
    return 0
}
