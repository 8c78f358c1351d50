/// The service a process runs under, from `/proc/PID/cgroup`: its systemd unit, or its container.
public enum CgroupUnit {
    /// `0::/system.slice/nginx.service` → `nginx.service`;
    /// `…/docker-<64 hex>.scope` → `docker:<12 hex>`; `…/cri-containerd-<id>.scope`,
    /// `…/libpod-<id>.scope` and `/kubepods/…/<id>` → `container:<12 hex>`; nil when the process
    /// sits in no unit (the root cgroup, a bare init).
    public static func unit(fromCgroup text: String) -> String? {
        // cgroup v2 has one line `0::PATH`; v1 has one per controller, `name=systemd` the useful one.
        let lines = text.split(separator: "\n")
        let line = lines.first { $0.hasPrefix("0::") } ?? lines.first { $0.contains(":name=systemd:") }
        guard let line, let colon = line.lastIndex(of: ":") else { return nil }
        let components = line[line.index(after: colon)...].split(separator: "/")
        for component in components.reversed() {
            if let id = containerID(component) { return id }
        }
        // The innermost unit: a service or scope, not the slices around it.
        if let unit = components.last(where: { $0.hasSuffix(".service") || $0.hasSuffix(".scope") }) {
            return String(unit.prefix(128))
        }
        return nil
    }

    private static func containerID(_ component: Substring) -> String? {
        var name = component
        if name.hasSuffix(".scope") { name = name.dropLast(6) }
        for (prefix, label) in [("docker-", "docker"), ("cri-containerd-", "container"), ("libpod-", "podman")]
        where name.hasPrefix(prefix) {
            let id = name.dropFirst(prefix.count)
            if isHexID(id) { return "\(label):\(id.prefix(12))" }
        }
        return isHexID(name) ? "container:\(name.prefix(12))" : nil
    }

    private static func isHexID(_ text: Substring) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
