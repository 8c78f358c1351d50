/// A framed pane with its title in the top border.
enum Box {
    static func draw(_ screen: inout Screen, title: String, x: Int, y: Int, width: Int, height: Int, active: Bool) {
        guard width >= 2, height >= 2 else { return }
        let role: StyleRole = active ? .label : .border
        screen.put("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, role: role)
        for row in (y + 1)..<(y + height - 1) {
            screen.put("│", x: x, y: row, role: role)
            screen.put("│", x: x + width - 1, y: row, role: role)
        }
        screen.put("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, role: role)
        screen.put(" \(title) ", x: x + 2, y: y, role: active ? .label : .header, limit: width - 4)
    }
}
