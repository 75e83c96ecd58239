"""Text that is not clean Unicode, repaired: lone surrogates and control characters.

JSON can carry `\\ud83d` (half of a cut emoji escape) and `\\u0000`; Python keeps them in a
str, and they fail later, far from their file, when the text is encoded, tokenized or
validated. `clean_text` repairs them where they are read: a lone surrogate becomes U+FFFD
(a surrogate pair split into two escapes is joined into its character), a control character
other than tab and line breaks is removed. It says what it did, so a reader can warn,
naming the file, line and key. This module imports nothing from scenariosim.
"""

import re

_LONE_OR_PAIR = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> tuple[str, list[str]]:
    """`value` as clean Unicode, and a note for each kind of repair made (none if clean)."""
    notes: list[str] = []
    text = value
    if _LONE_OR_PAIR.search(text):
        # UTF-16 joins each high+low pair into its character; a lone half becomes U+FFFD.
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        lone = joined.count("\ufffd") - text.count("\ufffd")
        if lone:
            at = next(i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff")
            notes.append(
                f"{lone} lone surrogate(s) (half of an emoji escape such as \\ud83d cut off), "
                f"first at character {at}, replaced by U+FFFD; fix the escape in the file"
            )
        text = joined
    controls = _CONTROL.findall(text)
    if controls:
        kinds = ", ".join(sorted({f"U+{ord(c):04X}" for c in controls}))
        notes.append(
            f"{len(controls)} control character(s) ({kinds}) removed; remove them from the file"
        )
        text = _CONTROL.sub("", text)
    return text, notes
