import Foundation
import TLSTopCore

/// What must hold for any snapshot, however hostile the traffic behind it: the JSON export parses,
/// and no exported string carries a control character. A violation stops the fuzzer with the input.
public enum SnapshotCheck {
    public static func verify(_ snapshot: Snapshot) {
        let json = snapshot.json()
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil else {
            fatalError("the JSON export does not parse")
        }
        let csv = snapshot.csv()
        // CSV cells are quoted and may hold commas, quotes and the row's CR LF, nothing else below 0x20.
        for scalar in csv.unicodeScalars where scalar.value < 0x20 && scalar != "\r" && scalar != "\n" {
            fatalError("the CSV export carries control character \(scalar.value)")
        }
    }

    /// Event-stream lines: each one line (no raw line break) and a JSON object.
    public static func verify(eventLines: [String]) {
        for line in eventLines {
            if line.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
                fatalError("an event line holds a line break")
            }
            guard (try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any] else {
                fatalError("an event line is not a JSON object")
            }
        }
    }
}
