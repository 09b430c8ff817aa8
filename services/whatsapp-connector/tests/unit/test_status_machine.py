import pytest

from atende_whatsapp_connector.domain.status import ACCEPTED, DELIVERED, FAILED, PLAYED, READ, SENT, UNKNOWN, transition

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("current", "new", "record", "implied"),
    [
        (UNKNOWN, SENT, True, ()),
        (ACCEPTED, SENT, True, ()),
        (SENT, DELIVERED, True, ()),
        (DELIVERED, READ, True, ()),
        # Chatwoot #14529: `sent` after `delivered` must not downgrade.
        (DELIVERED, SENT, False, ()),
        (READ, DELIVERED, False, ()),
        (READ, READ, False, ()),
        # Meta skips delivered when the chat was open: read implies delivered.
        (SENT, READ, True, (DELIVERED,)),
        (UNKNOWN, READ, True, (DELIVERED,)),
        (ACCEPTED, PLAYED, True, (DELIVERED,)),
        (READ, PLAYED, True, ()),
        # A delivered without a preceding sent (postmangovsg #2151).
        (UNKNOWN, DELIVERED, True, ()),
        # Failed is always recorded, and final.
        (READ, FAILED, True, ()),
        (UNKNOWN, FAILED, True, ()),
        (FAILED, DELIVERED, False, ()),
        (FAILED, SENT, False, ()),
    ],
)
def test_statuses_only_move_forward(current: int, new: int, record: bool, implied: tuple[int, ...]) -> None:
    decision = transition(current, new)  # type: ignore[arg-type]
    assert (decision.record, decision.implied) == (record, implied)


def test_any_arrival_order_ends_in_the_same_state() -> None:
    import itertools

    for order in itertools.permutations([SENT, DELIVERED, READ]):
        state, emitted = UNKNOWN, []
        for status in order:
            decision = transition(state, status)
            if decision.record:
                emitted.extend([*decision.implied, status])
                state = status
        assert state == READ
        assert DELIVERED in emitted or emitted[-1] == READ
        assert emitted == sorted(emitted), order
