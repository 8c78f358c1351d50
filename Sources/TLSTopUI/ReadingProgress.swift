import Foundation

/// How far a capture file has been read, as the header shows it: "reading 42% · 1.2M pkts ·
/// 350k pkt/s · 0:12 left".
public struct ReadingProgress: Sendable, Equatable {
    /// 0…1; nil when the input has no size (a pipe).
    public var fraction: Double?
    public var packets: Int
    public var packetsPerSecond: Double?
    public var secondsLeft: Double?

    public init(fraction: Double?, packets: Int, packetsPerSecond: Double? = nil, secondsLeft: Double? = nil) {
        self.fraction = fraction
        self.packets = packets
        self.packetsPerSecond = packetsPerSecond
        self.secondsLeft = secondsLeft
    }

    /// The few words a narrow header keeps: "reading 42% 0:12 left".
    public var shortText: String {
        var text = "reading"
        if let fraction { text += String(format: " %.0f%%", (fraction * 100).rounded(.down)) }
        if let secondsLeft, secondsLeft.isFinite {
            let seconds = Int(secondsLeft.rounded(.up))
            text +=
                seconds >= 3600
                ? " \(seconds / 3600)h left" : String(format: " %d:%02d left", seconds / 60, seconds % 60)
        }
        return text
    }

    /// The header's words for it.
    public var text: String {
        var words = ["reading"]
        if let fraction { words[0] += String(format: " %.0f%%", (fraction * 100).rounded(.down)) }
        words.append("\(Format.compact(Double(packets))) pkts")
        if let packetsPerSecond { words.append("\(Format.compact(packetsPerSecond)) pkt/s") }
        if let secondsLeft, secondsLeft.isFinite {
            let seconds = Int(secondsLeft.rounded(.up))
            words.append(
                seconds >= 3600
                    ? String(format: "%d:%02d:%02d left", seconds / 3600, seconds / 60 % 60, seconds % 60)
                    : String(format: "%d:%02d left", seconds / 60, seconds % 60))
        }
        return words.joined(separator: " · ")
    }
}

/// Turns samples of (bytes read, packets read, time) into a rate and a time left, smoothed over
/// the last few seconds so the figure does not jump with each redraw. Pure: tests give the times.
public struct ProgressMeter: Sendable {
    private var samples: [(seconds: Double, bytes: Int, packets: Int)] = []
    /// How far back the rate looks.
    public var window: Double = 3

    public init() {}

    /// Adds a sample and returns the progress to show.
    public mutating func sample(
        bytes: Int, totalBytes: Int?, packets: Int, atSeconds seconds: Double
    ) -> ReadingProgress {
        if let last = samples.last, seconds < last.seconds { samples.removeAll() }
        samples.append((seconds, bytes, packets))
        while let first = samples.first, seconds - first.seconds > window, samples.count > 2 {
            samples.removeFirst()
        }
        let fraction = totalBytes.map { min(1, Double(bytes) / Double(max(1, $0))) }
        guard let first = samples.first, seconds - first.seconds >= 0.25 else {
            return ReadingProgress(fraction: fraction, packets: packets)
        }
        let span = seconds - first.seconds
        let packetRate = Double(packets - first.packets) / span
        let byteRate = Double(bytes - first.bytes) / span
        var left: Double?
        if let totalBytes, byteRate > 0 { left = Double(max(0, totalBytes - bytes)) / byteRate }
        return ReadingProgress(fraction: fraction, packets: packets, packetsPerSecond: packetRate, secondsLeft: left)
    }
}
