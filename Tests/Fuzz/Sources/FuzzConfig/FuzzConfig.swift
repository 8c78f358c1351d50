import FuzzSupport
import TLSTopCore
import TLSTopUI

/// The two files a user (or a hostile file in a shared folder) hands tlstop: themes and policies.
/// The first byte chooses the parser; the rest is the file's text (invalid UTF-8 repaired, as when
/// the files are read).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(fuzzData: data, count: count)
    guard let selector = input.first else { return 0 }
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    if selector & 1 == 0 {
        _ = try? ThemeParser.parse(text, name: "fuzz")
    } else {
        _ = try? PolicyFile.parse(text)
    }
    return 0
}
