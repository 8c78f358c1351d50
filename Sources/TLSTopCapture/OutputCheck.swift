import Glibc

/// Checks, once root is given up and before any packet is read, that every file tlstop will write
/// can be written by the user it now runs as: a long capture must never end unable to save.
public enum OutputCheck {
    /// A file tlstop will write, and what it is for the message ("--export", "dashboard exports (key e)").
    public struct Target: Sendable, Equatable {
        public var path: String
        public var purpose: String
        /// The file is written whole into a temporary file next to it, then renamed over it.
        public var replacedWhole: Bool

        public init(path: String, purpose: String, replacedWhole: Bool = true) {
            self.path = path
            self.purpose = purpose
            self.replacedWhole = replacedWhole
        }

        /// The folder the file goes into ("." for a bare name).
        public var folder: String {
            guard let slash = path.lastIndex(of: "/") else { return "." }
            let folder = String(path[..<slash])
            return folder.isEmpty ? "/" : folder
        }
    }

    /// Throws the first problem as one line naming the path, the user and what to do.
    ///
    /// - Parameter who: the user, as messages name it ("'alice' (who ran sudo)").
    public static func check(_ targets: [Target], as who: String) throws(CaptureError) {
        for target in targets { try check(target, as: who) }
    }

    static func check(_ target: Target, as who: String) throws(CaptureError) {
        let folder = Self.absolute(target.folder)
        let advice = "choose a writable folder, another -Z user, or --no-drop-privileges"
        var status = stat()
        guard stat(folder, &status) == 0 else {
            throw CaptureError("cannot write \(target.purpose) '\(target.path)': folder '\(folder)' does not exist")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw CaptureError("cannot write \(target.purpose) '\(target.path)': '\(folder)' is not a folder")
        }
        // access(2) answers for the real uid, which after the drop is the one we run as.
        guard access(folder, W_OK | X_OK) == 0 else {
            throw CaptureError(
                "cannot write \(target.purpose) '\(target.path)' as \(who): folder '\(folder)' is not writable; \(advice)"
            )
        }
        var existing = stat()
        guard lstat(target.path, &existing) == 0 else { return }
        if existing.st_mode & S_IFMT == S_IFDIR {
            throw CaptureError("cannot write \(target.purpose) '\(target.path)': it is a folder")
        }
        if target.replacedWhole {
            // In a sticky folder (/tmp) only a file's owner may rename over it.
            if status.st_mode & S_ISVTX != 0, existing.st_uid != geteuid(), status.st_uid != geteuid() {
                throw CaptureError(
                    "cannot replace \(target.purpose) '\(target.path)' as \(who): it belongs to another user in a "
                        + "sticky folder; remove it or choose another name")
            }
        } else if access(target.path, W_OK) != 0 {
            throw CaptureError("cannot write \(target.purpose) '\(target.path)' as \(who): the file is not writable")
        }
    }

    /// A relative folder as the absolute one it means, for messages (`.` says nothing in a log).
    static func absolute(_ folder: String) -> String {
        guard !folder.hasPrefix("/") else { return folder }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return folder }
        let current = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if folder == "." { return current }
        return (current == "/" ? "" : current) + "/" + (folder.hasPrefix("./") ? String(folder.dropFirst(2)) : folder)
    }

    /// Gives a file tlstop created before dropping root (an event log) to the user it becomes, so
    /// that user owns what tlstop wrote. A file that was already there keeps its owner.
    public static func handOver(_ path: String, createdNow: Bool, to plan: PrivilegePlan) {
        guard createdNow, let account = plan.account, geteuid() == 0 else { return }
        // lchown: a symlink planted in between is changed itself, never what it points at.
        _ = lchown(path, account.uid, account.gid)
    }
}
