"""WTForms forms of the web pages (CSRF-protected by Flask-WTF).

Choices that depend on who is asking (the roles one may grant, the clients one may see) are set by
the view before validation, so a tampered form cannot pick a value the page did not offer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from service.errors import AppError
from service.web.i18n import CREATOR_KIND_LABELS, LANGUAGE_LABELS, translate_errors, translate_message


class EmailAddress:
    """The API's email rule (marshmallow's), so the pages and the API accept the same addresses."""

    _rule = ma.validate.Email()

    def __call__(self, form: FlaskForm, field: Any) -> None:
        try:
            self._rule(field.data or "")
        except ma.ValidationError as exc:
            raise ValidationError(str(_l("Enter a valid email address."))) from exc


def choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """Options of a select or checkbox list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def show_refusal(form: FlaskForm, failure: AppError) -> str:
    """Put an operation's per-field errors next to the form's fields; return its message for the page."""
    for name, messages in translate_errors(failure.errors).items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]
    return translate_message(failure.message)


def _email_field() -> EmailField:
    return EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes, which work on a phone where a multi-select does not."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


class MagicLinkRequestForm(FlaskForm):
    email = _email_field()


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is the point."""


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), Length(min=12, max=500)])


class InviteMemberForm(FlaskForm):
    email = _email_field()
    role = SelectField(_l("Role"), validators=[DataRequired()])
    client_ids = MultiCheckboxField(
        _l("Limit to these clients"),
        description=_l("Managers only. Leave all unticked for every client."),
        validators=[Optional()],
    )

    def validate_client_ids(self, field: MultiCheckboxField) -> None:
        if field.data and self.role.data != "manager":
            raise ValidationError(str(_l("Only a manager can be limited to some clients.")))


class MemberForm(FlaskForm):
    """Change one member's role and, in an agency, which clients a manager works for."""

    role = SelectField(_l("Role"), validators=[DataRequired()])
    client_ids = MultiCheckboxField(_l("Clients"), validators=[Optional()])

    def validate_client_ids(self, field: MultiCheckboxField) -> None:
        if field.data and self.role.data != "manager":
            raise ValidationError(str(_l("Only a manager can be limited to some clients.")))


class InviteCreatorForm(FlaskForm):
    email = _email_field()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    creator_kind = SelectField(
        _l("Works with you as"), choices=choices(CREATOR_KIND_LABELS.items()), default="influencer"
    )
    client_id = SelectField(_l("Client"), validators=[Optional()])
    locale = SelectField(_l("Language of the invitation"), choices=choices(LANGUAGE_LABELS.items()))


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    expires_in_days = IntegerField(
        _l("Valid for (days)"), validators=[InputRequired(), NumberRange(min=1, max=3650)], default=365
    )
