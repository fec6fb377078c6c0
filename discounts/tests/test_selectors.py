"""active_rules_for: the event's active rules in application order, lists prefetched."""

from __future__ import annotations

from discounts.selectors import active_rules_for
from discounts.tests.factories import DiscountFactory
from ticketing.tests.factories import EventFactory, ItemFactory, SalesChannelFactory


def test_active_rules_in_position_then_id_order(db):
    event = EventFactory()
    late = DiscountFactory(event=event, position=2)
    first = DiscountFactory(event=event, position=1)
    second = DiscountFactory(event=event, position=1)
    DiscountFactory(event=event, position=0, inactive=True)
    DiscountFactory(position=0)  # another event
    assert active_rules_for(event) == [first, second, late]


def test_lists_come_prefetched_with_one_query_per_list(db, django_assert_num_queries):
    event = EventFactory()
    items = ItemFactory.create_batch(3, event=event)
    channel = SalesChannelFactory(organizer=event.organizer, identifier="box")
    for _ in range(5):
        DiscountFactory(
            event=event, condition_limit_products=items[:2], benefit_limit_products=items[2:],
            limit_sales_channels=[channel],
        )
    DiscountFactory(event=event)
    with django_assert_num_queries(4):  # the rules, then one query per many-to-many list
        rules = active_rules_for(event)
        ids = [(r.condition_product_ids, r.benefit_product_ids, r.sales_channel_identifiers) for r in rules]
    assert ids[0] == (frozenset({items[0].pk, items[1].pk}), frozenset({items[2].pk}), frozenset({"box"}))
    assert ids[-1] == (frozenset(), frozenset(), None)  # all products, same products, all channels
