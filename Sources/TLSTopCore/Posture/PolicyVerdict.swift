/// A connection's findings under one more policy than the first (`--policy pci-dss-4,bsi-tr-02102-2`):
/// the dashboard shows the first policy's, the detail pane and the exports every one.
public struct PolicyVerdict: Sendable, Equatable {
    /// The policy's name (its profile, or a policy file's `name`).
    public var policy: String
    /// Worst first.
    public var findings: [Finding]

    public init(policy: String, findings: [Finding]) {
        self.policy = policy
        self.findings = findings
    }

    /// The worst finding's severity, `ok` without findings.
    public var severity: Severity { findings.first?.severity ?? .ok }
}
