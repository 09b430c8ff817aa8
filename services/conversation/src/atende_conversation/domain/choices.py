"""Ids of the buttons and list rows the bot sends; replies with these ids drive the machine without NLU.

Campaign templates may use the same ids as quick-reply payloads (e.g. `menu:bill` on a bill reminder,
`visit:confirm` / `visit:reschedule` on a visit confirmation, optionally `visit:confirm:<reference>`).
"""

from __future__ import annotations

from .model import Goal

MENU_MAIN = "menu:main"
MENU_AGENT = "menu:agent"
MENU_PREFIX = "menu:"
GOAL_CHOICES: dict[str, Goal] = {
    "menu:bill": Goal.BILL,
    "menu:promise": Goal.PROMISE,
    "menu:no_connection": Goal.NO_CONNECTION,
    "menu:slow": Goal.SLOW,
    "menu:visit": Goal.VISIT,
}
END = "end"  # "no, thanks": go to the survey and close
CONTRACT_PREFIX = "contract:"
CONTRACT_MORE = "contract:more"
PROMISE_YES = "promise:yes"
PROMISE_NO = "promise:no"
CHECK_OK = "check:ok"
CHECK_FAIL = "check:fail"
VISIT_CONFIRM = "visit:confirm"
VISIT_RESCHEDULE = "visit:reschedule"
RETRY = "retry"
CSAT_PREFIX = "csat:"


def goal_choice(goal: Goal) -> str:
    """The menu id of a goal."""
    return f"{MENU_PREFIX}{goal.value}"
