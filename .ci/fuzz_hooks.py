"""Schemathesis hooks of the fuzz run (.ci/fuzz.py).

- ``after_call`` appends each answer's operation, status and time to the file named by ``FUZZ_RESPONSES``
  (``<operation>\\t<status>\\t<seconds>`` lines) for fuzz.py's table;
- ``before_add_examples`` gives the examples phase the requests of ``FUZZ_EXAMPLES`` (a JSON file:
  {operation: {"path_parameters", "body", "media_type"}}, written by fuzz.py from fuzz_objects.examples);
- ``map_case`` keeps coupon generation to a size the run can wait for.
"""

import json
import os
from pathlib import Path

import schemathesis

RESPONSES = os.environ["FUZZ_RESPONSES"]
EXAMPLES = json.loads(Path(os.environ["FUZZ_EXAMPLES"]).read_text())

GENERATE = "POST /api/v1/organizers/{organizer_slug}/coupon-series/{id}/generate/"
MAX_GENERATE_JOB = 100_000  # vouchers.services.coupons.MAX_GENERATE_JOB: above it, a 400
FUZZ_GENERATE = 1_001  # above JOB_THRESHOLD_GENERATE (1,000): still a job


@schemathesis.hook
def after_call(context, case, response):
    with open(RESPONSES, "a", encoding="utf-8") as out:
        out.write(f"{case.operation.label}\t{response.status_code}\t{response.elapsed:.4f}\n")


@schemathesis.hook
def before_add_examples(context, examples):
    example = EXAMPLES.get(context.operation.label)
    if example is not None:
        media_type = example["media_type"]
        body = example["body"].encode() if media_type == "text/csv" else example["body"]
        examples.append(
            context.operation.Case(
                path_parameters=example["path_parameters"], body=body, media_type=media_type
            )
        )


@schemathesis.hook
def map_case(context, case):
    """A valid ``count`` above FUZZ_GENERATE becomes FUZZ_GENERATE. Without a broker (as here) a job runs
    inline, in the request, and 100,000 coupons take longer than the request timeout; the job's path is
    the same for 1,001. Counts that must be refused are left as they are."""
    if case.operation.label == GENERATE and isinstance(case.body, dict):
        count = case.body.get("count")
        if type(count) is int and FUZZ_GENERATE < count <= MAX_GENERATE_JOB:
            case.body = {**case.body, "count": FUZZ_GENERATE}
    return case
