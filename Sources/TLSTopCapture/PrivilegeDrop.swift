import CLinux
import Glibc

/// Gives up root once the capture is open, as tcpdump's `-Z` does: whatever a hostile packet could
/// make the parser do afterwards, it does as an unprivileged user (see `PrivilegePlan` for which).
public enum PrivilegeDrop {
    /// Switches to `user` (its uid, gid and no supplementary groups). Does nothing unless running
    /// as root. Throws when the user does not exist or the switch does not hold.
    @discardableResult
    public static func drop(to user: String, keepingProcessAccess: Bool = false) throws(CaptureError) -> Bool {
        guard geteuid() == 0 else { return false }
        guard let account = PrivilegePlan.Account.named(user) else {
            throw CaptureError(
                "cannot drop privileges: no user '\(user)'; name one with -Z USER or pass --no-drop-privileges")
        }
        return try drop(to: account, keepingProcessAccess: keepingProcessAccess)
    }

    /// Carries out a plan; returns whether the process-access capabilities were kept.
    @discardableResult
    public static func carry(out plan: PrivilegePlan, keepingProcessAccess: Bool) throws(CaptureError) -> Bool {
        guard let account = plan.account else { return false }
        return try drop(to: account, keepingProcessAccess: keepingProcessAccess)
    }

    /// Switches to `account`'s uid and gid, with no supplementary groups (even the sudo caller's:
    /// a parser exploit should not inherit `docker` or `disk`).
    ///
    /// - Parameter keepingProcessAccess: keep CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (and no other
    ///   capability), which reading other users' `/proc/PID/fd` needs for process attribution.
    ///   Returns whether they were kept.
    @discardableResult
    public static func drop(to account: PrivilegePlan.Account, keepingProcessAccess: Bool = false) throws(CaptureError)
        -> Bool
    {
        guard geteuid() == 0 else { return false }
        if keepingProcessAccess { _ = tlstop_keep_capabilities(1) }
        guard setgroups(0, nil) == 0, setgid(account.gid) == 0, setuid(account.uid) == 0 else {
            throw CaptureError("cannot drop privileges to '\(account.name)': \(String(cString: strerror(errno)))")
        }
        var kept = false
        if keepingProcessAccess {
            let mask = (UInt64(1) << UInt64(tlstop_cap_sys_ptrace)) | (UInt64(1) << UInt64(tlstop_cap_dac_read_search))
            kept = tlstop_set_capabilities(mask) == 0 && tlstop_effective_capabilities() == mask
            // Whatever happened, nothing beyond those two may stay permitted.
            if !kept { _ = tlstop_set_capabilities(0) }
            _ = tlstop_keep_capabilities(0)
        }
        // A process that can become root again has not dropped anything.
        guard account.uid == 0 || setuid(0) != 0 else {
            throw CaptureError("privileges to '\(account.name)' did not stick; refusing to run as root")
        }
        return kept
    }
}
