/// One judgment about a connection: a stable id, how much it matters under the policy in force,
/// and what exactly was seen.
public struct Finding: Sendable, Equatable {
    public var id: FindingID
    public var severity: Severity
    /// What was seen on this connection ("RSA 1024 bits", "client offered TLSv1.3, server chose TLSv1.2").
    public var detail: String

    public init(id: FindingID, severity: Severity, detail: String) {
        self.id = id
        self.severity = severity
        self.detail = detail
    }
}
