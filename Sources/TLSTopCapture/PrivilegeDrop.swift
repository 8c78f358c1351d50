import Glibc

/// Gives up root once the capture is open, as tcpdump's `-Z` does: whatever a hostile packet could
/// make the parser do afterwards, it does as an unprivileged user.
public enum PrivilegeDrop {
    /// Switches to `user` (its uid, gid and no supplementary groups). Does nothing unless running
    /// as root. Throws when the user does not exist or the switch does not hold.
    public static func drop(to user: String) throws(CaptureError) {
        guard geteuid() == 0 else { return }
        guard let entry = getpwnam(user) else {
            throw CaptureError(
                "cannot drop privileges: no user '\(user)'; name one with -Z USER or pass --no-drop-privileges")
        }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw CaptureError("cannot drop privileges to '\(user)': \(String(cString: strerror(errno)))")
        }
        // A process that can become root again has not dropped anything.
        guard setuid(0) != 0 else {
            throw CaptureError("privileges to '\(user)' did not stick; refusing to run as root")
        }
    }
}
