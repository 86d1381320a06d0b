"""Plain words: acronyms expanded at first use, with a capital where the expansion starts a sentence."""
from __future__ import annotations

from reportgen.content.words import Acronyms


def test_an_expansion_that_starts_a_list_item_or_sentence_has_a_capital():
    expand = Acronyms()
    assert expand("A&E patients seen within 4 hours") == "Accident and emergency (A&E) patients seen within 4 hours"
    assert expand("Fewer waits. MRSA cases") == (
        "Fewer waits. Meticillin-resistant Staphylococcus aureus (MRSA) cases")


def test_an_expansion_inside_a_sentence_keeps_its_case_and_later_uses_stay_short():
    expand = Acronyms()
    assert expand("Its A&E waits") == "Its accident and emergency (A&E) waits"
    assert expand("A&E again") == "A&E again"
