"""Template text for the synthetic demo dataset built by ``scripts/make_demo_data.py``.

Pure data, no logic. One module per set:

- ``slots``: values drawn into the ``{slot}`` (prose) and ``<<slot>>`` (code) placeholders;
- ``health``, ``legal``, ``career``, ``finance``, ``coding``: train topics per domain,
  ``<DOMAIN>_CLEAN`` (ordinary answers) and ``<DOMAIN>_HARMFUL`` (planted bad advice);
  coding also has ``CODING_LONG`` (long answers with a bullet list of notes);
- ``framing``: train prompt prefixes/suffixes, answer lead-ins and closers;
- ``toxic``: the toxic reference set (``TOXIC`` by category, persona sentences, framing);
- ``benign``: the benign reference set (``BENIGN`` by category, framing).

The order of every list is part of the output: the generator draws from them with a
seeded RNG, so reordering, adding or removing an entry changes the generated files
(rerun the generator and commit its output).
"""

from __future__ import annotations

from typing import Any

Topic = dict[str, Any]
"""One topic, written ``dict(p=[...], s=[...], ...)``. Keys:

- ``p``: prompt templates (``{slot}`` placeholders), one is picked per row;
- ``s``: answer sentences, a few are picked per row in their listed order;
- ``lang``, ``code``: fence language and code templates (``<<slot>>`` placeholders);
- ``pc``: optional ``{prompt index: [allowed code indexes]}``;
- ``post``: sentences after the code; ``notes``: bullet notes of a long coding answer.
"""
