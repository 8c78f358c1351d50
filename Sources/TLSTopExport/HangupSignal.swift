import Glibc
import Synchronization

/// SIGHUP asks the event log to reopen its file, after logrotate (or an admin) moved it away.
public enum HangupSignal {
    private static let flag = Atomic<Bool>(false)

    /// Whether a SIGHUP arrived since the last call; clears the request.
    static func take() -> Bool { flag.exchange(false, ordering: .acquiringAndReleasing) }

    /// Replaces SIGHUP's default (terminate) by a reopen request. Only installed when the event
    /// stream goes to a file: otherwise a terminal hang-up still ends the program as usual.
    public static func install() {
        signal(SIGHUP) { _ in HangupSignal.flag.store(true, ordering: .releasing) }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGHUP)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// What the handler does; for tests, which cannot send the process a signal safely.
    static func simulate() { flag.store(true, ordering: .releasing) }
}
