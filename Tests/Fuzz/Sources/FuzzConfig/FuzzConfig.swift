import FuzzSupport
import TLSTopCore
import TLSTopUI

/// The text files tlstop reads: themes and policies (a user, or a hostile file in a shared folder,
/// hands them over), and the kernel's /proc socket tables and cgroup files that process
/// attribution parses. The first byte chooses the parser; the rest is the file's text (invalid
/// UTF-8 repaired, as when the files are read).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard let selector = input.first else { return 0 }
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    switch selector % 4 {
    case 0: _ = try? ThemeParser.parse(text, name: "fuzz")
    case 1: _ = try? PolicyFile.parse(text)
    case 2: _ = ProcNetSockets.parse(text)
    default: _ = CgroupUnit.unit(fromCgroup: text)
    }
    return 0
}
