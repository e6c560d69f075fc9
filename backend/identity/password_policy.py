"""The staff password policy: long enough, not guessable, not the username or the demo password.

Guessability is judged by ``zxcvbn`` (its frequency dictionaries of common passwords, names and
words, keyboard patterns and dates), not by a hand-kept list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zxcvbn import zxcvbn

from backend.identity import texts
from backend.security.passwords import MIN_LENGTH

MIN_SCORE: Final = 3
"""zxcvbn's score: 3 is "safely unguessable: moderate protection from offline slow-hash
scenario" (about 10^8 guesses and more)."""
_SCORED_PREFIX: Final = 72
"""zxcvbn refuses longer inputs (it is slow on them); what follows the first 72 characters only
adds strength."""
_CONTEXT: Final = ("jiujinban", "jiujin", "就近办", "zhengwu", "admin")


@dataclass(frozen=True, slots=True)
class PasswordRules:
    """What the deployment adds to the policy: outside dev mode the demo password is refused."""

    dev_mode: bool = False
    demo_password: str = "jiujinban-demo"  # noqa: S105 - the documented demo password, refused


STRICT: Final = PasswordRules()


def password_problems(password: str, *, username: str, rules: PasswordRules = STRICT) -> list[str]:
    """Every rule ``password`` breaks, as Chinese phrases (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(texts.PW_TOO_SHORT.format(length=MIN_LENGTH))
    name = username.strip().lower()
    if name and password.strip().lower() == name:
        problems.append(texts.PW_IS_USERNAME)
    if not rules.dev_mode and password == rules.demo_password:
        problems.append(texts.PW_IS_DEMO)
    if len(password) >= MIN_LENGTH and password.strip().lower() != name:
        score = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[name, *_CONTEXT])["score"]
        if int(score) < MIN_SCORE:
            problems.append(texts.PW_TOO_COMMON)
    return problems
