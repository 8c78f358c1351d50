import Foundation
import TLSTopCore

extension DashboardRenderer {
    /// A part of the title line and how much it matters: when the line is too narrow, the least
    /// important parts go first, and what the user set (filter, focus, pause) stays longest.
    struct TitlePart {
        var text: String
        /// Lower is kept longer.
        var rank: Int
        /// A shorter form, used before the part is dropped (and then one rank more important).
        var short: String? = nil
    }

    /// The title line's parts, left to right.
    static func titleParts(_ snapshot: Snapshot, _ state: DashboardState, _ context: Context) -> [TitlePart] {
        let stats = snapshot.statistics
        var parts = [
            TitlePart(text: "tlstop", rank: 0),
            TitlePart(
                text: TerminalText.sanitize(snapshot.source.name), rank: 3,
                short: snapshot.source.name.split(separator: "/").last.map { TerminalText.sanitize(String($0)) }),
        ]
        if let progress = context.progress, !context.endOfFile {
            // Shortened early, and then kept as long as the filter and focus.
            parts.append(TitlePart(text: progress.text, rank: 2, short: progress.shortText))
        }
        if let uptime = context.uptimeSeconds, context.progress == nil {
            parts.append(
                TitlePart(
                    text: String(format: "up %02d:%02d:%02d", uptime / 3600, uptime / 60 % 60, uptime % 60), rank: 9))
        }
        if let rate = context.packetsPerSecond, context.progress == nil {
            parts.append(TitlePart(text: "\(Format.compact(rate)) pkt/s", rank: 8))
        }
        if let dropped = stats.kernelDropped {
            parts.append(TitlePart(text: "drops \(dropped)", rank: dropped > 0 ? 2 : 7))
        }
        // Further policies judge each connection too: the detail pane shows their verdicts.
        let others = snapshot.policies.count - 1
        parts.append(TitlePart(text: "policy: \(snapshot.policy)" + (others > 0 ? " +\(others)" : ""), rank: 5))
        // Never silently show no process: say why there is none.
        if let attribution = snapshot.processAttribution, attribution != "on" {
            parts.append(TitlePart(text: "processes \(attribution)", rank: 6))
        }
        parts.append(
            TitlePart(
                text: "filter: \(state.filter.isEmpty ? "none" : TerminalText.sanitize(state.filter.text))",
                rank: state.filter.isEmpty ? 4 : 1))
        if let focus = state.focusedHost {
            parts.append(TitlePart(text: "focus: \(TerminalText.sanitize(focus.label))", rank: 1))
        }
        if state.weakOnly { parts.append(TitlePart(text: "weak only", rank: 1)) }
        if state.paused { parts.append(TitlePart(text: "PAUSED", rank: 0)) }
        if context.endOfFile {
            let failed = context.problems.all.contains { $0.kind == .inputFailed }
            parts.append(
                TitlePart(text: failed ? "stopped on an error — q to quit" : "end of file — q to quit", rank: 1))
        }
        return parts
    }

    /// The parts that fit `width` columns, least important dropped first; the source name, if it
    /// alone is too long, is cut instead of dropped.
    static func fitted(_ parts: [TitlePart], width: Int) -> String {
        let separator = " ─ "
        func line(_ parts: [TitlePart]) -> String { " " + parts.map(\.text).joined(separator: separator) }
        var kept = parts
        // The least important part (the rightmost of equals) is shortened, then dropped.
        while DisplayWidth.of(line(kept)) > width,
            let drop = kept.indices.filter({ kept[$0].rank > 0 }).max(by: {
                kept[$0].rank != kept[$1].rank ? kept[$0].rank < kept[$1].rank : $0 < $1
            })
        {
            if let short = kept[drop].short, short != kept[drop].text {
                kept[drop].text = short
                kept[drop].short = nil
                kept[drop].rank -= 1
            } else {
                kept.remove(at: drop)
            }
        }
        return DisplayWidth.truncate(line(kept), to: width)
    }

    func drawHeader(
        _ screen: inout Screen, _ snapshot: Snapshot, _ state: DashboardState, _ view: View, _ context: Context
    ) {
        screen.fill(y: 0, from: 0, to: screen.width, role: .title)
        screen.put(
            Self.fitted(Self.titleParts(snapshot, state, context), width: screen.width), x: 0, y: 0, role: .title)

        // Over every connection seen, listed below or folded into a host row: the same figures as
        // the batch summary and the exports.
        let totals = snapshot.totals
        func share(_ part: Int, _ whole: Int) -> String {
            whole == 0 ? "–" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
        }
        var x = screen.put(" \(Format.grouped(totals.connections)) connections", x: 0, y: 1, role: .header)
        if totals.attempts > 0 {
            x += screen.put(" (+\(Format.grouped(totals.attempts)) attempts)", x: x, y: 1, role: .header)
        }
        let classified = totals.encrypted + totals.plaintext
        x += screen.put("   encrypted \(share(totals.encrypted, classified))", x: x, y: 1, role: .header)
        x += screen.put("   PFS \(share(totals.pfs, totals.tlsFamily))", x: x, y: 1, role: .header)
        x += screen.put("   PQ \(share(totals.pq, totals.tlsFamily))", x: x, y: 1, role: .header)
        if totals.pqMissed > 0 {
            // Clients that offered a hybrid group and got a classical one: the server's to fix.
            x += screen.put(" (missed \(share(totals.pqMissed, totals.tlsFamily)))", x: x, y: 1, role: .warn)
        }
        if totals.tls13 > 0 {
            // TLS 1.3 hides certificates: how many of them --keylog or --probe brought to light.
            x += screen.put(
                "   1.3 certs \(share(totals.tls13Certificates, totals.tls13))", x: x, y: 1, role: .header)
        }
        let critical = totals.severities[.critical] ?? 0
        let warn = totals.severities[.warn] ?? 0
        let plaintext = totals.plaintext
        x += screen.put("   ✖ critical \(critical)", x: x, y: 1, role: critical > 0 ? .critical : .header)
        x += screen.put("   ▲ warn \(warn)", x: x, y: 1, role: warn > 0 ? .warn : .header)
        screen.put("   ● plaintext \(plaintext)", x: x, y: 1, role: plaintext > 0 ? .plaintext : .header)
    }
}
