"""The contract operations' messages in the reader's language.

Operations raise plain English (the API's words); the pages look a message up here. ``N_`` marks a text for
the catalogue; messages with a value in them are matched by pattern and translated with the value kept.
"""

from __future__ import annotations

import re

from flask_babel import gettext

from service.web.i18n import N_

KNOWN = (
    N_("No contract with this id in your account."),
    N_("No contract of yours with this id."),
    N_("Only a draft can be changed; amend the contract to change terms that were sent."),
    N_("Choose the client brand this contract is for."),
    N_("No creator with this id works with your account."),
    N_("This creator works with your account for another client."),
    N_("A corporate-influencer programme is signed with an employee creator."),
    N_("Say who signs for the brand."),
    N_("Only an owner or admin can send a contract despite block-level fairness findings."),
    N_("Write the justification in 20 to 300 characters."),
    N_("Give a reason for voiding (up to 1000 characters)."),
    N_("A signed or voided contract cannot be voided; end a signed one under its own terms or amend it."),
    N_("This contract cannot be amended now. Edit the draft instead."),
    N_("This contract cannot be amended now. A voided contract is over."),
    N_("The contract terms are not valid; fix the fields listed in errors."),
    N_("The signature is not complete; see what is missing."),
    N_("It is not your turn to sign yet; you will get an email when it is."),
    N_("This contract can no longer be declined."),
    N_("This contract cannot be signed any more."),
    N_("This contract is not waiting for your signature."),
    N_("This link is not valid. Open it exactly as it is in the email."),
    N_("Only a signed contract that is not sealed yet can be sealed again."),
    N_("Upload the PDF to check: the file is empty."),
    N_("Send the PDF as the multipart form field 'file'."),
    N_("This file is not a PDF. Upload the contract PDF you received."),
    N_("Say why you decline (up to 1000 characters); the other party reads it."),
    N_("The PDF of this contract is not ready yet; try again shortly."),
    N_("The sealed PDF of this contract is not ready yet; try again shortly."),
    N_("Consent to sign electronically to go on."),
    N_("Confirm that you read the fairness notes."),
    N_("Type your name or draw your signature."),
    N_("Choose one of the labels offered."),
    N_("Choose where the label goes."),
    N_("Choose the posts you will label."),
    N_("Must be true: these findings are shown to both parties."),
    N_("Required: the name and email of the brand's signatory."),
    N_("Required for an agency."),
    N_("Unknown creator."),
    N_("Works for another client."),
)

_PATTERNS = (
    (
        re.compile(
            r"This contract has block-level fairness findings \((.+)\)\. Change the terms, or an owner or admin sends "
            r"it with a written justification, which is printed in the PDF footer\."
        ),
        N_(
            "This contract has block-level fairness findings (%(rules)s). Change the terms, or an owner or admin "
            "sends it with a written justification, which is printed in the PDF footer."
        ),
    ),
    (
        re.compile(
            r"Acknowledge the warn-level fairness findings \((.+)\) to send; the signers acknowledge them too\."
        ),
        N_("Acknowledge the warn-level fairness findings (%(rules)s) to send; the signers acknowledge them too."),
    ),
    (re.compile(r"Required to send despite (.+)\."), N_("Required to send despite %(rules)s.")),
)
_PRODUCE = re.compile(r"The contract cannot be produced from these terms: (.+)", re.DOTALL)


def translate(text: str) -> str | None:
    """The German (or English) text of a known message; None when this catalogue does not know it."""
    if text in KNOWN:
        return gettext(text)
    for pattern, msgid in _PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return gettext(msgid, rules=found.group(1))
    found = _PRODUCE.fullmatch(text)
    if found:
        return gettext("The contract cannot be produced from these terms: %(problem)s", problem=found.group(1))
    return None
