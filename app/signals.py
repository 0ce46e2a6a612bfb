"""Signals between the domains, so a package can announce a change without importing the one that reacts.

`responses_changed` is sent (in the writing transaction) by whatever stores, cancels or deletes survey
responses dated in the past; analytics keeps its daily roll-up equal to the raw rows on it. Receivers run in
the sender's transaction and flush; the sender's caller commits.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the package sending; keyword arguments: unit_id (int), days (a collection of dates)
responses_changed = _signals.signal("responses-changed")
