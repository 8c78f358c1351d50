/// The theme files of `themes/`, embedded so an installed binary has them wherever it runs.
/// The texts below the marker are generated: after editing a file in `themes/`, run
/// `TLSTOP_UPDATE_THEMES=1 swift test --filter ThemeTests` (ThemeTests fails while they differ).
public enum BuiltInThemes {
    /// In the order `t` cycles through them; the first is the default.
    public static let all: [(name: String, text: String)] = [
        ("dark", darkText), ("light", lightText), ("high-contrast", highContrastText),
        ("colorblind", colorblindText), ("monochrome", monochromeText),
    ]

    /// Parsed once; a text that failed to parse would be missing here (ThemeTests makes sure none does).
    private static let parsed: [(name: String, theme: Theme)] = all.compactMap { entry in
        (try? ThemeParser.parse(entry.text, name: entry.name)).map { (entry.name, $0) }
    }

    /// The built-in theme called `name` (case-insensitive), or nil.
    public static func theme(named name: String) -> Theme? {
        let lower = name.lowercased()
        return parsed.first { $0.name == lower }?.theme
    }

    /// The theme for `NO_COLOR` and color-less terminals; never fails.
    public static var monochrome: Theme {
        theme(named: "monochrome") ?? Theme(name: "monochrome", styles: [.normal: Style()]).degraded(toColors: 1)
    }
}

// MARK: - Generated from themes/*.theme by `TLSTOP_UPDATE_THEMES=1 swift test --filter ThemeTests`; do not edit.

extension BuiltInThemes {
    static let darkText = #"""
        # tlstop theme "dark": The default, for terminals with a dark background.
        #
        # Format: one setting per line; '#' starts a comment; blank lines are ignored.
        #   name = "display name"    optional; only as the first setting
        #   role = foreground [on background] [bold] [underline] [reverse] [dim]
        # Roles: normal (required), title, header, border, label, selected, critical, warn, info,
        #   ok, plaintext, dim, footer, key, status. A role that is left out looks like normal;
        #   one without "on background" has normal's background ("on default": the terminal's).
        #   title is the top bar, header the totals line and pane titles, border the inactive pane
        #   frames, label the column headings and the active frame, selected the cursor row,
        #   critical/warn/info/ok severities, plaintext unencrypted traffic, footer the bottom bar,
        #   key the key names and status the messages and filter prompt drawn on that bar.
        # Colors: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan,
        #   white, bright-black ... bright-white, or an xterm number 0-255 (0-7 standard, 8-15
        #   bright, 16-231 the 6x6x6 cube, 232-255 grays). On 16- and 8-color terminals the nearest
        #   color is used; without color, or with NO_COLOR set, only the attributes are.
        # Limits: 64 KiB a file, 1024 bytes a line.
        # Your own themes go in ~/.config/tlstop/themes/NAME.theme (or $XDG_CONFIG_HOME/tlstop/themes)
        # and are chosen with --theme NAME; --theme also takes a path to a .theme file.

        name = "dark"

        normal    = default
        title     = bright-white on 24 bold     # deep blue bar
        header    = bright-white bold
        border    = 240
        label     = 117 bold
        selected  = bright-white on 25 bold     # blue cursor bar
        critical  = bright-red bold
        warn      = 214                         # orange
        info      = cyan
        ok        = green
        plaintext = magenta bold
        dim       = 244
        footer    = 252 on 236                  # dark grey bar
        key       = 214 on 236 bold
        status    = bright-yellow on 236

        """#

    static let lightText = #"""
        # tlstop theme "light": For terminals with a light (white or cream) background.
        #
        # Format: one setting per line; '#' starts a comment; blank lines are ignored.
        #   name = "display name"    optional; only as the first setting
        #   role = foreground [on background] [bold] [underline] [reverse] [dim]
        # Roles: normal (required), title, header, border, label, selected, critical, warn, info,
        #   ok, plaintext, dim, footer, key, status. A role that is left out looks like normal;
        #   one without "on background" has normal's background ("on default": the terminal's).
        #   title is the top bar, header the totals line and pane titles, border the inactive pane
        #   frames, label the column headings and the active frame, selected the cursor row,
        #   critical/warn/info/ok severities, plaintext unencrypted traffic, footer the bottom bar,
        #   key the key names and status the messages and filter prompt drawn on that bar.
        # Colors: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan,
        #   white, bright-black ... bright-white, or an xterm number 0-255 (0-7 standard, 8-15
        #   bright, 16-231 the 6x6x6 cube, 232-255 grays). On 16- and 8-color terminals the nearest
        #   color is used; without color, or with NO_COLOR set, only the attributes are.
        # Limits: 64 KiB a file, 1024 bytes a line.
        # Your own themes go in ~/.config/tlstop/themes/NAME.theme (or $XDG_CONFIG_HOME/tlstop/themes)
        # and are chosen with --theme NAME; --theme also takes a path to a .theme file.

        name = "light"

        normal    = default
        title     = bright-white on 25 bold     # blue bar
        header    = default bold
        border    = 245
        label     = 24 bold
        selected  = black on 153                # pale blue cursor bar
        critical  = 160 bold                    # dark red
        warn      = 136                         # dark gold; yellow is unreadable on white
        info      = 25
        ok        = 28                          # dark green
        plaintext = 90 bold                     # purple
        dim       = 244
        footer    = black on 252                # light grey bar
        key       = 25 on 252 bold
        status    = 88 on 252

        """#

    static let highContrastText = #"""
        # tlstop theme "high-contrast": Maximum contrast: bright colors on black, bold for everything important.
        #
        # Format: one setting per line; '#' starts a comment; blank lines are ignored.
        #   name = "display name"    optional; only as the first setting
        #   role = foreground [on background] [bold] [underline] [reverse] [dim]
        # Roles: normal (required), title, header, border, label, selected, critical, warn, info,
        #   ok, plaintext, dim, footer, key, status. A role that is left out looks like normal;
        #   one without "on background" has normal's background ("on default": the terminal's).
        #   title is the top bar, header the totals line and pane titles, border the inactive pane
        #   frames, label the column headings and the active frame, selected the cursor row,
        #   critical/warn/info/ok severities, plaintext unencrypted traffic, footer the bottom bar,
        #   key the key names and status the messages and filter prompt drawn on that bar.
        # Colors: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan,
        #   white, bright-black ... bright-white, or an xterm number 0-255 (0-7 standard, 8-15
        #   bright, 16-231 the 6x6x6 cube, 232-255 grays). On 16- and 8-color terminals the nearest
        #   color is used; without color, or with NO_COLOR set, only the attributes are.
        # Limits: 64 KiB a file, 1024 bytes a line.
        # Your own themes go in ~/.config/tlstop/themes/NAME.theme (or $XDG_CONFIG_HOME/tlstop/themes)
        # and are chosen with --theme NAME; --theme also takes a path to a .theme file.

        name = "high-contrast"

        normal    = bright-white on black
        title     = black on bright-white bold
        header    = bright-white bold
        border    = white
        label     = bright-yellow bold
        selected  = black on bright-yellow bold
        critical  = bright-white on red bold
        warn      = bright-yellow bold
        info      = bright-cyan bold
        ok        = bright-green
        plaintext = bright-magenta bold underline
        dim       = white
        footer    = black on white
        key       = black on white bold underline
        status    = black on white bold

        """#

    static let colorblindText = #"""
        # tlstop theme "colorblind": Safe for red-green color blindness (Okabe-Ito palette).
        #
        # Format: one setting per line; '#' starts a comment; blank lines are ignored.
        #   name = "display name"    optional; only as the first setting
        #   role = foreground [on background] [bold] [underline] [reverse] [dim]
        # Roles: normal (required), title, header, border, label, selected, critical, warn, info,
        #   ok, plaintext, dim, footer, key, status. A role that is left out looks like normal;
        #   one without "on background" has normal's background ("on default": the terminal's).
        #   title is the top bar, header the totals line and pane titles, border the inactive pane
        #   frames, label the column headings and the active frame, selected the cursor row,
        #   critical/warn/info/ok severities, plaintext unencrypted traffic, footer the bottom bar,
        #   key the key names and status the messages and filter prompt drawn on that bar.
        # Colors: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan,
        #   white, bright-black ... bright-white, or an xterm number 0-255 (0-7 standard, 8-15
        #   bright, 16-231 the 6x6x6 cube, 232-255 grays). On 16- and 8-color terminals the nearest
        #   color is used; without color, or with NO_COLOR set, only the attributes are.
        # Limits: 64 KiB a file, 1024 bytes a line.
        # Your own themes go in ~/.config/tlstop/themes/NAME.theme (or $XDG_CONFIG_HOME/tlstop/themes)
        # and are chosen with --theme NAME; --theme also takes a path to a .theme file.

        # No red against green anywhere: severities differ by hue along the
        # blue-orange axis, which red-green color blindness keeps, and by
        # attributes (critical is bold, plaintext bold and underlined).
        name = "colorblind"

        normal    = default
        title     = bright-white on 25 bold     # blue bar
        header    = bright-white bold
        border    = 244
        label     = 75 bold
        selected  = black on 227 bold           # yellow cursor bar
        critical  = 202 bold                    # vermillion
        warn      = 214                         # orange
        info      = 33                          # blue
        ok        = 75                          # sky blue
        plaintext = 169 bold underline          # reddish purple
        dim       = 244
        footer    = 252 on 236                  # dark grey bar
        key       = 214 on 236 bold
        status    = 227 on 236

        """#

    static let monochromeText = #"""
        # tlstop theme "monochrome": No colors at all, only attributes; also what NO_COLOR selects.
        #
        # Format: one setting per line; '#' starts a comment; blank lines are ignored.
        #   name = "display name"    optional; only as the first setting
        #   role = foreground [on background] [bold] [underline] [reverse] [dim]
        # Roles: normal (required), title, header, border, label, selected, critical, warn, info,
        #   ok, plaintext, dim, footer, key, status. A role that is left out looks like normal;
        #   one without "on background" has normal's background ("on default": the terminal's).
        #   title is the top bar, header the totals line and pane titles, border the inactive pane
        #   frames, label the column headings and the active frame, selected the cursor row,
        #   critical/warn/info/ok severities, plaintext unencrypted traffic, footer the bottom bar,
        #   key the key names and status the messages and filter prompt drawn on that bar.
        # Colors: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan,
        #   white, bright-black ... bright-white, or an xterm number 0-255 (0-7 standard, 8-15
        #   bright, 16-231 the 6x6x6 cube, 232-255 grays). On 16- and 8-color terminals the nearest
        #   color is used; without color, or with NO_COLOR set, only the attributes are.
        # Limits: 64 KiB a file, 1024 bytes a line.
        # Your own themes go in ~/.config/tlstop/themes/NAME.theme (or $XDG_CONFIG_HOME/tlstop/themes)
        # and are chosen with --theme NAME; --theme also takes a path to a .theme file.

        # Severity stays visible without color: critical is bold and reverse, warn
        # bold, plaintext underlined, the cursor row reverse.
        name = "monochrome"

        normal    = default
        title     = default reverse bold
        header    = default bold
        border    = default
        label     = default bold
        selected  = default reverse
        critical  = default bold reverse
        warn      = default bold
        info      = default
        ok        = default
        plaintext = default underline
        dim       = default dim
        footer    = default reverse
        key       = default reverse bold
        status    = default reverse

        """#
}
