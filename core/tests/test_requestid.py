from __future__ import annotations

from core.requestid import accepted_or_new, bound_request_id, current_request_id


def test_a_sane_id_is_kept_and_anything_else_replaced():
    assert accepted_or_new("abc-123.x:y_z") == "abc-123.x:y_z"
    for sent in (None, "", "a b", "x" * 129, "id\u0000", "<script>"):
        new = accepted_or_new(sent)
        assert len(new) == 32 and int(new, 16) >= 0


def test_an_id_is_bound_inside_the_block_only():
    assert current_request_id() is None
    with bound_request_id("outer"):
        assert current_request_id() == "outer"
        with bound_request_id("job-1"):
            assert current_request_id() == "job-1"
        assert current_request_id() == "outer"
    assert current_request_id() is None
