"""The web form for a webhook endpoint (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectMultipleField, StringField, URLField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from service.webhooks.events import EVENT_TYPES


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes, which work on a phone where a multi-select does not."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    url = URLField(_l("URL"), validators=[DataRequired(), Length(max=2000)])
    description = StringField(_l("Description"), validators=[Length(max=200)])
    event_types = CheckboxesField(
        _l("Events"),
        choices=[SelectChoice(name, f"{name}: {text}") for name, text in sorted(EVENT_TYPES.items())],
        validators=[DataRequired(message=_l("Choose at least one event."))],
    )


class EndpointEditForm(EndpointForm):
    active = BooleanField(_l("Active (send events to this endpoint)"))
