import Glibc
import Synchronization

/// SIGINT and SIGTERM end a capture cleanly: the summary and the export are still written.
enum StopSignal {
    private static let flag = Atomic<Bool>(false)

    static var requested: Bool { flag.load(ordering: .acquiring) }

    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in StopSignal.flag.store(true, ordering: .releasing) }
            sigaddset(&set, number)
        }
        // A parent may have started us with these signals blocked (the mask survives exec);
        // then Ctrl-C or a service manager's stop would never reach the handler.
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
