#!/usr/bin/env python3
"""Writes tlstop(1) from the command's own description of itself.

    Tools/make-manpage.py BINARY > tlstop.1

The binary's `--experimental-dump-help` (swift-argument-parser's JSON description: abstract,
discussion, every option with its names, value name, default and help) is the only source, so the
page can never say something the command does not do. `make man` keeps docs/tlstop.1 in step, and a
test compares the two.
"""
import json
import subprocess
import sys

DATE = "2026-12-02"  # Bumped by hand with the version: the page must not change from run to run.


def roff(text):
    """Text for a roff line: backslashes doubled, hyphens literal, no line may start a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_name(name):
    prefix = "-" if name["kind"] in ("short", "longWithSingleDash") else "--"
    return prefix + name["name"]


def synopsis_item(argument):
    names = argument.get("names") or []
    if not names:
        return None
    name = option_name(argument.get("preferredName") or names[0])
    if argument["kind"] == "option":
        item = f"\\fB{roff(name)}\\fR \\fI{roff(argument.get('valueName', 'value'))}\\fR"
    else:
        item = f"\\fB{roff(name)}\\fR"
    return f"[{item}]"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-manpage.py BINARY")
    dump = subprocess.run([sys.argv[1], "--experimental-dump-help"], capture_output=True, check=True, text=True)
    command = json.loads(dump.stdout)["command"]
    name = command["commandName"]
    version = subprocess.run([sys.argv[1], "--version"], capture_output=True, check=True, text=True).stdout.strip()
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    discussion = command.get("discussion", "")
    description, _, examples = discussion.partition("Examples:")

    out = []
    out.append(f'.TH {name.upper()} 1 "{DATE}" "{name} {roff(version)}" "User Commands"')
    out.append(".SH NAME")
    out.append(f"{name} \\- {roff(command.get('abstract', ''))}")
    out.append(".SH SYNOPSIS")
    out.append(f".B {name}")
    for argument in arguments:
        item = synopsis_item(argument)
        if item:
            out.append(item)
    out.append(".SH DESCRIPTION")
    for paragraph in [p for p in description.strip().split("\n\n") if p.strip()]:
        out.append(".PP")
        out.append(roff(" ".join(line.strip() for line in paragraph.splitlines())))
    out.append(".SH OPTIONS")
    for argument in arguments:
        names = argument.get("names") or []
        if not names:
            continue
        spelled = ", ".join(f"\\fB{roff(option_name(n))}\\fR" for n in names)
        if argument["kind"] == "option":
            spelled += f" \\fI{roff(argument.get('valueName', 'value'))}\\fR"
        out.append(".TP")
        out.append(spelled)
        text = argument.get("abstract", "")
        if argument.get("defaultValue") not in (None, ""):
            text += f" (default: {argument['defaultValue']})"
        if argument.get("isRepeating") and argument["kind"] == "option":
            text += " May be given more than once."
        out.append(roff(text))
        if argument.get("discussion"):
            out.append(roff(argument["discussion"]))
    if examples.strip():
        out.append(".SH EXAMPLES")
        out.append(".nf")
        out.append(".RS 4")
        for line in examples.strip("\n").splitlines():
            out.append(roff(line.strip()))
        out.append(".RE")
        out.append(".fi")
    out.append(".SH FILES")
    files = [
        ("PREFIX/share/tlstop/themes/NAME.theme", "the built-in themes as files, to copy and change"),
        ("$XDG_CONFIG_HOME/tlstop/themes/NAME.theme", "your own themes, found by --theme NAME"),
        ("PREFIX/lib/systemd/system/tlstop.service", "the headless feed as a service: events and metrics"),
        ("/etc/logrotate.d/tlstop", "rotates the service's event log, then tells tlstop to reopen it"),
        ("/var/log/tlstop/events.ndjson", "the service's event log"),
    ]
    for path, meaning in files:
        out.append(".TP")
        out.append(f"\\fI{roff(path)}\\fR")
        out.append(roff(meaning))
    out.append(".SH EXIT STATUS")
    out.append(roff("0 when the run ended well; 1 with one line on standard error when it did not (a file that "
                    "cannot be read or is damaged, an interface that cannot be opened or went away, an output that "
                    "cannot be written); 64 for a command line that cannot be parsed."))
    out.append(".SH SEE ALSO")
    out.append(".BR tcpdump (8),")
    out.append(".BR pcap\\-filter (7),")
    out.append(".BR tshark (1)")
    print("\n".join(out))


if __name__ == "__main__":
    main()
