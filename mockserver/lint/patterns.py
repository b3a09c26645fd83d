"""Where a ``pattern`` means one thing to Python's ``re`` and another to ECMA-262 with the ``u`` flag.

JSON Schema's ``pattern`` is an ECMA-262 regex: a JavaScript client, Prism and ajv compile it with
``new RegExp(pattern, "u")``, jsonschema-rs reads it alike, while jsonschema (our server, openapi-core
in the proxy) searches with Python's ``re``. :func:`divergences` lists each construct the two read
differently and says what to write instead, so that a spec can say one thing to every client.

It is a scanner of its own because no package answers that question: ``js-regex`` translates
JavaScript's pattern syntax without the ``u`` flag into Python's, and the ECMA engines wrapped for
Python run one dialect rather than compare two; neither could say what to write instead.

Two readings were decided here rather than found:

* ``$``: Python's also matches before a final newline, so ``re.search("^[0-9]{4}$", "1234\\n")``
  matches where JavaScript's does not; no anchor spells "end of string" in both, so the scanner
  asks for ``$(?!\\n)``, which both read as the very end.
* lookbehind: Python compiles only fixed-width lookbehind, which ECMA reads alike; the rest does
  not compile, which ``REG001`` reports.

Syntax neither engine accepts (``a**``, ``x{2,1}``) is left to ``REG001``.
"""

from __future__ import annotations

import dataclasses
import re

#: The end of the string, as both engines read it.
END = "$(?!\\n)"
#: Characters ECMA's ``u`` flag lets a backslash escape (``-`` too, inside a class only).
SYNTAX = frozenset("^$\\.*+?()[]{}|/")
LATIN_LETTERS = "A-Za-zÀ-ÖØ-öø-ÿĀ-ſ"

#: Class escapes Python reads over Unicode and ECMA over ASCII (or another set of spaces).
SHORTHANDS: dict[str, str] = {
    "d": "Python's \\d is any Unicode digit ('٣' too), ECMA's 0-9 only: write [0-9] (0-9 inside a class)",
    "D": "Python's \\D excludes every Unicode digit, ECMA's only 0-9: write [^0-9]",
    "w": (
        "Python's \\w is any Unicode letter or digit and _ (so 'Västerås' passes), ECMA's [A-Za-z0-9_]: "
        f"write [A-Za-z0-9_], or list the letters meant, e.g. [{LATIN_LETTERS}0-9_] for Latin-script names "
        "(the ranges alone inside a class)"
    ),
    "W": "Python's \\W excludes every Unicode letter and digit, ECMA's only [A-Za-z0-9_]: write [^A-Za-z0-9_]",
    "s": (
        "Python's \\s and ECMA's differ beyond ASCII (U+001C-U+001F and U+0085 for Python, U+FEFF for ECMA): "
        "write [ \\t\\n\\r\\f\\v] ( \\t\\n\\r\\f\\v inside a class)"
    ),
    "S": "Python's \\S and ECMA's differ beyond ASCII: write [^ \\t\\n\\r\\f\\v]",
}
WORD_BOUNDARY = (
    "Python's word boundary lies between Unicode letters, ECMA's between [A-Za-z0-9_]: write ^ and "
    f"{END} where it bounds the whole value, or lookarounds over the letters meant, e.g. "
    "(?<![A-Za-z0-9_])(?=[A-Za-z0-9_])"
)
IDENTITY = (
    "ECMA's u flag lets a backslash escape only ^$\\.*+?()[]{{}}|/ (and - inside a class), so {escape} "
    "is a syntax error there: write {char} unescaped"
)
# Escapes one engine reads and the other rejects (or both reject, for different reasons).
ESCAPES: dict[str, str] = {
    "A": "Python's start of the string, a syntax error in ECMA: write ^",
    "Z": f"Python's end of the string, a syntax error in ECMA: write {END}",
    "z": f"a syntax error in ECMA and in Python before 3.14: write {END}",
    "a": "Python's bell character, a syntax error in ECMA: write \\x07",
    "U": "Python's 8-digit code point escape, a syntax error in ECMA: write the character itself",
    "N": "Python's named character, a syntax error in ECMA: write the character itself or \\uHHHH",
    "c": "ECMA's control character, a syntax error in Python: write \\xHH",
    "p": (
        "ECMA's Unicode property, a syntax error in Python's re: write the characters out, "
        f"e.g. [{LATIN_LETTERS}] for Latin-script letters"
    ),
    "k": "ECMA's named backreference, a syntax error in Python: use a plain group and \\1",
}
ESCAPES["P"] = ESCAPES["p"]
UNKNOWN_ESCAPE = "an escape neither engine knows: write the character unescaped"
OCTAL = "Python reads an octal escape, ECMA's u flag a syntax error: write \\xHH"
BACKREFERENCE = (
    "Python reads it as octal or rejects a reference to a group not closed before it, ECMA reads a "
    "reference to any group: write it after the group it names closes, or \\xHH for a character"
)
_FLAGS = "(?:[aiLmsux]+(?:-[imsx]+)?|-[imsx]+)"
INLINE_FLAGS = (
    "Python's inline flags, which ECMA reads only as (?ims-ims:…) and only since ES2025 (not Node 20): "
    "write the cases out, e.g. [Aa]"
)
GROUPS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # (what opens the group, what it is, what to write instead); the kind says what ``)`` closes.
    (re.compile(r"\(\?P<[^>]*>"), "capture", "a Python-only named group: write a plain group (…)"),
    (re.compile(r"\(\?P=[^)]*\)"), "", "a Python-only named backreference: write \\N, the group's number"),
    (
        re.compile(r"\(\?<(?![=!])[^>]*>"),
        "capture",
        "an ECMA-only named group (a syntax error in Python): write a plain group (…)",
    ),
    (re.compile(r"\(\?#[^)]*\)"), "", "a Python-only comment: write it in the description instead"),
    (re.compile(r"\(\?>"), "group", "a Python-only atomic group: write (?:…), or restructure where it matters"),
    (re.compile(r"\(\?\([^)]*\)"), "group", "a Python-only conditional group: write the alternatives out with |"),
    (re.compile(rf"\(\?{_FLAGS}\)"), "", INLINE_FLAGS),
    (re.compile(rf"\(\?{_FLAGS}:"), "group", INLINE_FLAGS),
)
#: A quantifier in braces: ECMA's u flag needs the minimum, Python reads {,m} as {0,m}.
BRACES = re.compile(r"\{([0-9]*)(,[0-9]*)?\}")
HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
DIGITS = re.compile(r"[0-9]+")
DOUBLED_IN_CLASS = (
    "Python warns that a doubled {char} in a class will become a set operation (and ECMA's v flag "
    "makes it one): write it once{hyphen}"
)


@dataclasses.dataclass(frozen=True)
class Divergence:
    """One construct the engines read differently, where it occurs and what to write instead."""

    construct: str
    positions: tuple[int, ...]
    reason: str

    def __str__(self) -> str:
        where = ", ".join(str(p) for p in self.positions)
        return f"{self.construct} (at {where}): {self.reason}"


def divergences(pattern: str) -> list[Divergence]:
    """Every construct of ``pattern`` that Python's ``re`` and ECMA-262 (``u`` flag) read differently,
    each once with the positions it occurs at, in order of first occurrence."""
    scanner = _Scanner(pattern)
    scanner.run()
    merged: dict[tuple[str, str], list[int]] = {}
    for construct, position, reason in scanner.found:
        merged.setdefault((construct, reason), []).append(position)
    return [Divergence(construct, tuple(at), reason) for (construct, reason), at in merged.items()]


class _Scanner:
    """One left-to-right pass over the pattern, tracking only what the readings depend on: whether
    it is inside a class, the open groups and how many capturing groups have closed."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.found: list[tuple[str, int, str]] = []
        self.open: list[str] = []
        self.closed_captures = 0
        self.last = ""  # "look" just after a lookaround closes: ECMA's u flag refuses to repeat one

    def flag(self, start: int, end: int, reason: str) -> None:
        self.found.append((self.p[start:end], start, reason))

    def run(self) -> None:
        p = self.p
        while self.i < len(p):
            char, start = p[self.i], self.i
            last, self.last = self.last, ""
            if char == "\\":
                self.i = self.escape(start, in_class=False)
            elif char == "[":
                self.char_class()
            elif char == "(":
                self.group()
            elif char == ")":
                kind = self.open.pop() if self.open else ""
                if kind == "capture":
                    self.closed_captures += 1
                self.last = "look" if kind == "look" else ""
                self.i += 1
            elif char == "$":
                if p.startswith(END, start):
                    self.i += len(END)
                    self.last = "look"  # END ends in a lookahead
                else:
                    self.flag(start, start + 1, f"Python's $ also matches before a final newline: write {END}")
                    self.i += 1
            elif char == ".":
                self.flag(
                    start,
                    start + 1,
                    "Python's . excludes only \\n, ECMA's also \\r, U+2028 and U+2029: write [^\\n] "
                    "(Python's reading) or [^\\n\\r\\u2028\\u2029] (ECMA's), or the characters meant",
                )
                self.i += 1
            elif char in "*+?{":
                self.quantifier(start, after_lookaround=last == "look")
            elif char in "}]":
                self.flag(
                    start, start + 1, f"Python reads a lone {char} as itself, ECMA a syntax error: write \\{char}"
                )
                self.i += 1
            else:
                self.i += 1

    def quantifier(self, start: int, *, after_lookaround: bool) -> None:
        p = self.p
        self.i = start + 1
        if p[start] == "{":
            braces = BRACES.match(p, start)
            if braces is None or braces.group() in ("{}", "{,}"):
                self.flag(
                    start, start + 1, "Python reads a { that starts no {n,m} as itself, ECMA a syntax error: write \\{"
                )
                return
            if not braces.group(1):
                self.flag(start, braces.end(), "Python reads {,m} as {0,m}, ECMA a syntax error: write {0,m}")
            self.i = braces.end()
        if after_lookaround:
            self.flag(start, self.i, "Python repeats a lookaround, ECMA's u flag refuses to: drop the quantifier")
        if p.startswith("?", self.i):  # lazy: both read it alike
            self.i += 1
        if p.startswith("+", self.i):
            self.flag(self.i, self.i + 1, "a possessive quantifier (Python 3.11+), a syntax error in ECMA: drop the +")
            self.i += 1

    def group(self) -> None:
        p, start = self.p, self.i
        if not p.startswith("(?", start):
            self.open.append("capture")
            self.i += 1
            return
        for prefix, kind in (("(?:", "group"), ("(?=", "look"), ("(?!", "look"), ("(?<=", "look"), ("(?<!", "look")):
            if p.startswith(prefix, start):
                self.open.append(kind)
                self.i += len(prefix)
                return
        for opener, kind, reason in GROUPS:
            match = opener.match(p, start)
            if match:
                self.flag(start, match.end(), reason)
                self.i = match.end()
                if kind:
                    self.open.append(kind)
                return
        self.flag(start, start + 2, "a group neither engine knows: write (?:…) or a plain group")
        self.open.append("group")
        self.i += 2

    def char_class(self) -> None:
        p, start = self.p, self.i
        self.i += 1
        if p.startswith("^", self.i):
            self.i += 1
        if p.startswith("]", self.i):
            self.flag(
                start,
                self.i + 1,
                "ECMA reads [] as nothing and [^] as any character, Python reads the ] as itself: write \\]",
            )
            self.i += 1
        while self.i < len(p) and p[self.i] != "]":
            char, at = p[self.i], self.i
            if char == "\\":
                self.i = self.escape(at, in_class=True)
            elif char == "[":
                self.flag(at, at + 1, "Python warns of a nested set, and ECMA's v flag makes one: write \\[")
                self.i += 1
            elif char in "-&|~" and p.startswith(char, at + 1):
                hyphen = " (\\- for a hyphen)" if char == "-" else ""
                self.flag(at, at + 2, DOUBLED_IN_CLASS.format(char=char, hyphen=hyphen))
                self.i += 2
            else:
                self.i += 1
        self.i += 1

    def escape(self, start: int, *, in_class: bool) -> int:
        """Checks the escape at ``start`` and returns the index after it."""
        p = self.p
        if start + 1 >= len(p):
            self.flag(start, start + 1, "a trailing backslash, a syntax error in both: remove it")
            return start + 1
        char, end = p[start + 1], start + 2
        if char in SHORTHANDS:
            self.flag(start, end, SHORTHANDS[char])
        elif char in "bB" and not (in_class and char == "b"):  # [\b] is a backspace in both
            self.flag(start, end, WORD_BOUNDARY if not in_class else UNKNOWN_ESCAPE)
        elif char in "fnrtv" or char in SYNTAX or (in_class and char in "-b"):
            pass
        elif char == "x":
            if not HEX2.match(p, end):
                self.flag(start, end, "an incomplete \\x, a syntax error in both: write \\xHH")
            else:
                end += 2
        elif char == "u":
            end = self.code_unit(start)
        elif char in "0123456789":
            end = self.numbered(start, in_class=in_class)
        elif char in ESCAPES:
            closer = {"N": "}", "p": "}", "P": "}", "k": ">"}.get(char)
            if closer and p.find(closer, end) != -1:
                end = p.find(closer, end) + 1
            elif char == "U":
                end = min(len(p), end + 8)
            elif char == "c":
                end = min(len(p), end + 1)
            self.flag(start, end, ESCAPES[char])
        elif char.isascii() and char.isalnum():
            self.flag(start, end, UNKNOWN_ESCAPE)
        else:
            self.flag(start, end, IDENTITY.format(escape=p[start:end], char=char))
        return end

    def code_unit(self, start: int) -> int:
        p, end = self.p, start + 2
        if p.startswith("{", end):
            close = p.find("}", end)
            end = close + 1 if close != -1 else end
            self.flag(start, end, "ECMA's code point escape, a syntax error in Python: write \\uHHHH or the character")
            return end
        digits = HEX4.match(p, end)
        if not digits:
            self.flag(start, end, "an incomplete \\u, a syntax error in both: write \\uHHHH")
            return end
        if 0xD800 <= int(digits.group(), 16) <= 0xDFFF:
            self.flag(
                start,
                digits.end(),
                "ECMA's u flag joins a surrogate pair into one character, Python keeps two halves that "
                "match nothing: write the character itself",
            )
        return digits.end()

    def numbered(self, start: int, *, in_class: bool) -> int:
        """``\\0``, an octal escape or a backreference."""
        digits = DIGITS.match(self.p, start + 1)
        assert digits is not None
        text, end = digits.group(), digits.end()
        if text == "0":
            return end  # NUL in both
        if in_class or text.startswith("0"):
            self.flag(start, end, OCTAL)
        elif len(text) > 2 or int(text) > self.closed_captures:
            self.flag(start, end, BACKREFERENCE)
        return end
