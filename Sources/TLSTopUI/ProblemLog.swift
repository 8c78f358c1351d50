import TLSTopCore

/// The problems a run has shown so far, and which one is the latest: the one that appeared or
/// changed most recently. The status line keeps that one; `!` lists them all.
public struct ProblemLog: Sendable, Equatable {
    public private(set) var all: [CaptureProblem] = []
    public private(set) var latest: CaptureProblem?

    public init() {}

    /// Takes the problems of the newest snapshot (and the capture's error, if it ended on one).
    public mutating func update(_ problems: [CaptureProblem]) {
        // New, or a count that grew: that is the news; of several at once, the most serious.
        for problem in problems.sorted(by: { $0.kind > $1.kind }) where !all.contains(problem) {
            latest = problem
        }
        if let latest, !problems.contains(latest) {
            // Gone (a probe failure count cannot shrink, but attribution can come back on).
            self.latest = problems.first { $0.kind == latest.kind }
        }
        all = problems.sorted { $0.kind < $1.kind }
    }
}
