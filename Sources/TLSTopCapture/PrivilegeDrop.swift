import CLinux
import Glibc

/// Gives up root once the capture is open, as tcpdump's `-Z` does: whatever a hostile packet could
/// make the parser do afterwards, it does as an unprivileged user.
public enum PrivilegeDrop {
    /// Switches to `user` (its uid, gid and no supplementary groups). Does nothing unless running
    /// as root. Throws when the user does not exist or the switch does not hold.
    ///
    /// - Parameter keepingProcessAccess: keep CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (and no other
    ///   capability), which reading other users' `/proc/PID/fd` needs for process attribution.
    ///   Returns whether they were kept.
    @discardableResult
    public static func drop(to user: String, keepingProcessAccess: Bool = false) throws(CaptureError) -> Bool {
        guard geteuid() == 0 else { return false }
        guard let entry = getpwnam(user) else {
            throw CaptureError(
                "cannot drop privileges: no user '\(user)'; name one with -Z USER or pass --no-drop-privileges")
        }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        if keepingProcessAccess { _ = tlstop_keep_capabilities(1) }
        guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw CaptureError("cannot drop privileges to '\(user)': \(String(cString: strerror(errno)))")
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
        guard setuid(0) != 0 else {
            throw CaptureError("privileges to '\(user)' did not stick; refusing to run as root")
        }
        return kept
    }
}
