import Glibc

/// Who tlstop runs as once its capture, key log and event log are open, and why.
///
/// Root is needed only to open a live interface. After that tlstop becomes an ordinary user, as
/// tcpdump's `-Z` does, so that whatever a hostile packet makes the parsers do, it does without
/// root. Which user:
/// - `-Z USER`: that user.
/// - started through sudo (`SUDO_UID`, `SUDO_GID`): the user who ran sudo. The files tlstop
///   writes (exports, the dashboard's `e`, `--log`) are then theirs, in folders they can write,
///   such as the home folder `sudo tlstop` was started from.
/// - otherwise, a live capture becomes `nobody`; root reading a file stays root (nothing to give
///   up that the file needed, and a root-owned export folder keeps working).
/// - `--no-drop-privileges`, or not root to begin with: nothing changes.
public struct PrivilegePlan: Sendable, Equatable {
    public struct Account: Sendable, Equatable {
        public var name: String
        public var uid: uid_t
        public var gid: gid_t

        public init(name: String, uid: uid_t, gid: gid_t) {
            self.name = name
            self.uid = uid
            self.gid = gid
        }

        /// The passwd entry of `name`, if there is one.
        public static func named(_ name: String) -> Account? {
            guard let entry = getpwnam(name) else { return nil }
            return Account(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        }

        /// The login name of `uid`, if it has one.
        public static func name(of uid: uid_t) -> String? {
            getpwuid(uid).map { String(cString: $0.pointee.pw_name) }
        }
    }

    public enum Reason: Sendable, Equatable {
        /// `-Z USER`.
        case asked
        /// The user who ran sudo.
        case sudo
        /// A live capture's default.
        case liveCapture
    }

    /// The user to become; nil to stay who we are.
    public let account: Account?
    public let reason: Reason?

    public init(account: Account?, reason: Reason?) {
        self.account = account
        self.reason = reason
    }

    public static let unchanged = PrivilegePlan(account: nil, reason: nil)

    /// Decides, from the command line and the environment, without changing anything.
    ///
    /// - Parameters:
    ///   - user: `-Z`'s user, if given.
    ///   - keepRoot: `--no-drop-privileges`.
    ///   - liveCapture: an interface rather than a file.
    ///   - environment: the process's environment (sudo's variables).
    ///   - effectiveUID: who we run as now.
    ///   - lookup: the passwd lookup (tests give their own).
    public static func resolve(
        user: String?, keepRoot: Bool, liveCapture: Bool, environment: [String: String],
        effectiveUID: uid_t = geteuid(), lookup: (String) -> Account? = Account.named
    ) throws(CaptureError) -> PrivilegePlan {
        guard effectiveUID == 0, !keepRoot else { return .unchanged }
        if let user {
            guard let account = lookup(user) else {
                throw CaptureError(
                    "cannot drop privileges: no user '\(user)'; name one with -Z USER or pass --no-drop-privileges")
            }
            return PrivilegePlan(account: account, reason: .asked)
        }
        if let invoker = sudoAccount(in: environment) {
            return PrivilegePlan(account: invoker, reason: .sudo)
        }
        guard liveCapture else { return .unchanged }
        guard let nobody = lookup("nobody") else {
            throw CaptureError(
                "cannot drop privileges: this system has no user 'nobody'; name one with -Z USER or pass --no-drop-privileges"
            )
        }
        return PrivilegePlan(account: nobody, reason: .liveCapture)
    }

    /// The user behind sudo: `SUDO_UID` and `SUDO_GID` as numbers, named by `SUDO_USER` (or the
    /// passwd entry, or the number). Nil when absent, malformed, or root (sudo run by root).
    static func sudoAccount(in environment: [String: String]) -> Account? {
        guard let uidText = environment["SUDO_UID"], let gidText = environment["SUDO_GID"],
            let uid = uid_t(uidText), let gid = gid_t(gidText), uid != 0
        else { return nil }
        let given = environment["SUDO_USER"].flatMap { $0.isEmpty || $0.utf8.count > 64 ? nil : $0 }
        return Account(name: given ?? Account.name(of: uid) ?? String(uid), uid: uid, gid: gid)
    }

    /// A short phrase for messages: "'alice' (who ran sudo)".
    public var who: String {
        guard let account else { return "'\(Account.name(of: geteuid()) ?? String(geteuid()))'" }
        switch reason {
        case .sudo?: return "'\(account.name)' (who ran sudo)"
        default: return "'\(account.name)'"
        }
    }
}
