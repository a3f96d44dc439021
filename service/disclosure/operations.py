"""Business rules of disclosure compliance: campaigns, deliverable posts, confirmations and submissions.

Views (API and pages) stay thin and call these; they flush, never commit. A submission creates a pending
check; the check itself runs in a worker (``service.disclosure.checking``), started after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import lazyload

from service.audit.operations import record_event
from service.billing.limits import require_within_plan
from service.creators.models import CreatorRelation
from service.disclosure.dispatch import request_check_run
from service.disclosure.model import MEDIA_TYPES, PLATFORMS
from service.disclosure.models import (
    Campaign,
    Check,
    CheckStatus,
    CheckTrigger,
    DeliverablePost,
    LabelConfirmation,
    PostStatus,
    Submission,
)
from service.disclosure.obligations import Obligation, ObligationError, labelling_obligation
from service.disclosure.posts import JURISDICTION_ALIASES
from service.disclosure.rulebook import default_rule_book
from service.disclosure.screenshots import ScreenshotUpload, clean_screenshots, store_screenshots
from service.errors import NotFound, Unprocessable
from service.extensions import db
from service.outbound.addresses import AddressRefused, check_url
from service.webhooks.events import emit_event
from tenants.access import Principal

# What a deliverable post can be made for; "none" exists for the engine, not for a deliverable.
POST_RELATIONSHIPS = ("paid", "gifted", "affiliate", "employee", "own_brand", "press_trip")


# --- campaigns --------------------------------------------------------------------------------------


def _jurisdiction_codes(raw: Sequence[str]) -> list[str]:
    """Normalised codes (UK -> GB); each must have a rule pack, or the posts could never be checked."""
    book = default_rule_book()
    codes: list[str] = []
    unknown = []
    for item in raw:
        code = JURISDICTION_ALIASES.get(item.strip().upper(), item.strip().upper())
        if book.pack_for(code) is None:
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    if unknown or not codes:
        raise Unprocessable(
            "Give the audience's countries as ISO codes the rules cover.",
            errors={"jurisdictions": [f"No rules for: {', '.join(unknown)}" if unknown else "Give at least one."]},
        )
    return codes


def _check_platforms(platforms: Sequence[str]) -> list[str]:
    bad = [p for p in platforms if p not in PLATFORMS]
    if bad:
        raise Unprocessable("Unknown platform.", errors={"platforms": [f"Choose from {', '.join(PLATFORMS)}."]})
    return list(dict.fromkeys(platforms))


def _require_client(principal: Principal, client_id: uuid.UUID | None) -> None:
    if not principal.can_access_client(client_id):
        raise NotFound("No client with this id in your account.")
    if client_id is not None:
        from tenants.operations import get_client

        get_client(client_id, principal)


def campaigns_query(principal: Principal, client_id: uuid.UUID | None = None) -> Select[tuple[Campaign]]:
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id)
    if principal.client_ids is not None:
        query = query.where(Campaign.client_id.in_(principal.client_ids))
    if client_id is not None:
        query = query.where(Campaign.client_id == client_id)
    return query


def get_campaign(campaign_id: uuid.UUID, principal: Principal) -> Campaign:
    campaign = db.session.execute(select(Campaign).where(Campaign.id == campaign_id)).scalar_one_or_none()
    if campaign is None or not principal.can_access_client(campaign.client_id):
        raise NotFound("No campaign with this id in your account.")
    return campaign


def create_campaign(data: Mapping[str, Any], principal: Principal) -> Campaign:
    _require_client(principal, data.get("client_id"))
    campaign = Campaign(
        client_id=data.get("client_id"),
        name=data["name"].strip(),
        jurisdictions=_jurisdiction_codes(data["jurisdictions"]),
        platforms=_check_platforms(data.get("platforms") or []),
        starts_on=data.get("starts_on"),
        ends_on=data.get("ends_on"),
    )
    _check_dates(campaign)
    db.session.add(campaign)
    db.session.flush()
    record_event("disclosure.campaign_created", target_type="campaign", target_id=campaign.id, actor=principal)
    return campaign


def update_campaign(campaign: Campaign, data: Mapping[str, Any], principal: Principal) -> Campaign:
    if "name" in data:
        campaign.name = data["name"].strip()
    if "jurisdictions" in data:
        campaign.jurisdictions = _jurisdiction_codes(data["jurisdictions"])
    if "platforms" in data:
        campaign.platforms = _check_platforms(data["platforms"])
    for field in ("starts_on", "ends_on"):
        if field in data:
            setattr(campaign, field, data[field])
    _check_dates(campaign)
    db.session.flush()
    record_event("disclosure.campaign_updated", target_type="campaign", target_id=campaign.id, actor=principal)
    return campaign


def delete_campaign(campaign: Campaign, principal: Principal) -> None:
    db.session.delete(campaign)
    db.session.flush()
    record_event("disclosure.campaign_deleted", target_type="campaign", target_id=campaign.id, actor=principal)


def _check_dates(campaign: Campaign) -> None:
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise Unprocessable(
            "The campaign ends before it starts.", errors={"ends_on": ["Must not be before starts_on."]}
        )


# --- deliverable posts ------------------------------------------------------------------------------


def relationship_from_contract(contract: Any) -> str:
    """The labelling relationship a contract creates: employment, commission, a product, or payment."""
    if contract.contract_type == "corporate_influencer":
        return "employee"
    terms = contract.version.terms if contract.versions else {}
    model = str((terms.get("compensation") or {}).get("model") or "")
    return {"commission_only": "affiliate", "product_only": "gifted"}.get(model, "paid")


def _contract(contract_id: uuid.UUID, principal: Principal, relation: CreatorRelation, campaign: Campaign) -> Any:
    """The contract that requires the post: one the caller may see, with this creator, for this client brand."""
    from service.contracts.models import Contract

    contract = db.session.execute(select(Contract).where(Contract.id == contract_id)).scalar_one_or_none()
    if contract is None or not principal.can_access_client(contract.client_id):
        raise Unprocessable("Unknown contract.", errors={"contract_id": ["No contract with this id in your account."]})
    if contract.client_id != campaign.client_id:
        raise Unprocessable(
            "The contract is for another brand.", errors={"contract_id": ["Choose a contract of the campaign's brand."]}
        )
    if not any(signer.creator_id == relation.creator_id for signer in contract.version.signers):
        raise Unprocessable(
            "The contract is not with this creator.", errors={"contract_id": ["Choose a contract the creator signs."]}
        )
    return contract


def _relation(relation_id: uuid.UUID, principal: Principal) -> CreatorRelation:
    relation = db.session.execute(select(CreatorRelation).where(CreatorRelation.id == relation_id)).scalar_one_or_none()
    if relation is None or (principal.client_ids is not None and not principal.can_access_client(relation.client_id)):
        raise Unprocessable(
            "Unknown creator.", errors={"creator_relation_id": ["No creator with this id in your account."]}
        )
    return relation


def posts_query(
    principal: Principal,
    campaign_id: uuid.UUID | None = None,
    status: str | None = None,
    *,
    with_people: bool = True,
) -> Select[tuple[DeliverablePost]]:
    """The principal's posts in list order. ``with_people=False`` loads the posts' own columns only (what the
    API dumps): joining each post's campaign, creator relation and creator made every page read four rows
    per post and the count join the campaigns, for nothing the answer shows."""
    query = select(DeliverablePost).order_by(DeliverablePost.due_on, DeliverablePost.id)
    if not with_people:
        query = query.options(lazyload(DeliverablePost.campaign), lazyload(DeliverablePost.creator_relation))
    if principal.client_ids is not None:
        # Every post has its campaign (a foreign key within the tenant), so only this filter needs the join.
        query = query.join(DeliverablePost.campaign).where(Campaign.client_id.in_(principal.client_ids))
    if campaign_id is not None:
        query = query.where(DeliverablePost.campaign_id == campaign_id)
    if status is not None:
        query = query.where(DeliverablePost.status == status)
    return query


def get_post(post_id: uuid.UUID, principal: Principal, *, with_people: bool = True) -> DeliverablePost:
    """One of the principal's posts, with its campaign (the client check reads it); ``with_people=False``
    leaves out its creator relation and creator, which only the web page shows."""
    query = select(DeliverablePost).where(DeliverablePost.id == post_id)
    if not with_people:
        query = query.options(lazyload(DeliverablePost.creator_relation))
    post = db.session.execute(query).scalar_one_or_none()
    if post is None or not principal.can_access_client(post.campaign.client_id):
        raise NotFound("No post with this id in your account.")
    return post


def create_post(campaign: Campaign, data: Mapping[str, Any], principal: Principal) -> DeliverablePost:
    relation = _relation(data["creator_relation_id"], principal)
    contract = _contract(data["contract_id"], principal, relation, campaign) if data.get("contract_id") else None
    relationship = data.get("relationship") or (relationship_from_contract(contract) if contract else None)
    if relationship is None:
        raise Unprocessable(
            "Say how the creator is connected to the brand.",
            errors={"relationship": ["Required when no contract is linked."]},
        )
    if data["platform"] not in PLATFORMS or data["media_type"] not in MEDIA_TYPES:
        raise Unprocessable("Unknown platform or media type.", errors={"platform": [f"One of {', '.join(PLATFORMS)}."]})
    post = DeliverablePost(
        campaign_id=campaign.id,
        creator_relation_id=relation.id,
        contract_id=contract.id if contract else None,
        title=data["title"].strip(),
        relationship=relationship,
        platform=data["platform"],
        media_type=data["media_type"],
        due_on=data.get("due_on"),
        status=PostStatus.PLANNED,
    )
    db.session.add(post)
    db.session.flush()
    db.session.refresh(post)
    record_event("disclosure.post_created", target_type="post", target_id=post.id, actor=principal)
    return post


def update_post(post: DeliverablePost, data: Mapping[str, Any], principal: Principal) -> DeliverablePost:
    for field in ("title", "relationship", "platform", "media_type", "due_on"):
        if field in data:
            setattr(post, field, data[field])
    if "contract_id" in data:
        relation = db.session.get(CreatorRelation, (post.tenant_id, post.creator_relation_id))
        assert relation is not None, "a post's creator relation is kept while the post exists"
        contract = _contract(data["contract_id"], principal, relation, post.campaign) if data["contract_id"] else None
        post.contract_id = contract.id if contract else None
    db.session.flush()
    record_event("disclosure.post_updated", target_type="post", target_id=post.id, actor=principal)
    return post


def delete_post(post: DeliverablePost, principal: Principal) -> None:
    db.session.delete(post)
    db.session.flush()
    record_event("disclosure.post_deleted", target_type="post", target_id=post.id, actor=principal)


def obligation_of(post: DeliverablePost, lang: str) -> Obligation:
    """What the post must be labelled like, in ``lang``, from the same packs the checks use."""
    try:
        return labelling_obligation(
            post.relationship, post.campaign.jurisdictions, post.platform, post.media_type, lang=lang
        )
    except ObligationError as exc:
        raise Unprocessable(str(exc)) from exc


def confirmation_of(post: DeliverablePost) -> LabelConfirmation | None:
    return db.session.execute(
        select(LabelConfirmation).where(LabelConfirmation.post_id == post.id)
    ).scalar_one_or_none()


def confirm_label(
    post: DeliverablePost, label: str, lang: str, *, creator_id: uuid.UUID | None, actor: Principal
) -> LabelConfirmation:
    """The creator's promise of how this post will be labelled; confirming again replaces the promise."""
    label = label.strip()
    if not label:
        raise Unprocessable("Write the label you will use.", errors={"label": ["Must not be empty."]})
    obligation = obligation_of(post, lang).as_dict()
    confirmation = confirmation_of(post)
    if confirmation is None:
        confirmation = LabelConfirmation(post_id=post.id, label=label, language=lang, obligation=obligation)
        db.session.add(confirmation)
    confirmation.label, confirmation.language, confirmation.obligation = label, lang, obligation
    confirmation.creator_id = creator_id
    if post.status == PostStatus.PLANNED:
        post.status = PostStatus.CONFIRMED
    db.session.flush()
    record_event("disclosure.label_confirmed", target_type="post", target_id=post.id, actor=actor)
    return confirmation


NO_CONTENT = "Give the caption, the story frames or a link."


def has_content(data: Mapping[str, Any]) -> bool:
    return bool((data.get("caption") or "").strip() or data.get("link") or data.get("story_frames"))


def submission_fields(data: Mapping[str, Any], link: str | None, actor: Principal) -> dict[str, Any]:
    """The stored submission from a submission body (the link already checked)."""
    return {
        "link": link,
        "caption": data.get("caption") or "",
        "story_frames": list(data.get("story_frames") or []),
        "on_screen_text": [dict(item) for item in data.get("on_screen_text") or []],
        "transcript": data.get("transcript") or "",
        "duration_s": data.get("duration_s"),
        "first_comment": data.get("first_comment") or "",
        "paid_partnership_tag": bool(data.get("paid_partnership_tag")),
        "submitted_by": actor.label[:254],
    }


def check_link(link: str | None, config: Mapping[str, Any]) -> str | None:
    if not link:
        return None
    from service.outbound import loopback_allowed

    try:
        return check_url(link, allow_loopback=loopback_allowed(config), require_https=False)
    except AddressRefused as exc:
        raise Unprocessable("This link cannot be used.", errors={"link": [str(exc)]}) from exc


def submit_post(
    post: DeliverablePost,
    data: Mapping[str, Any],
    *,
    actor: Principal,
    config: Mapping[str, Any],
    uploads: Sequence[ScreenshotUpload] = (),
) -> tuple[Submission, Check]:
    """Store the published post and queue its check (the worker starts after the commit).

    Screenshots are all checked before anything is written, so a bad file leaves nothing behind.
    """
    require_within_plan("disclosure_check")
    if not has_content(data):
        raise Unprocessable("Give the post's link or its text.", errors={"caption": [NO_CONTENT]})
    images = clean_screenshots(uploads)
    submission = Submission(post_id=post.id, **submission_fields(data, check_link(data.get("link"), config), actor))
    db.session.add(submission)
    db.session.flush()
    store_screenshots(submission, images)
    check = Check(post_id=post.id, submission_id=submission.id, trigger=CheckTrigger.SUBMISSION)
    db.session.add(check)
    post.status = PostStatus.SUBMITTED
    db.session.flush()
    record_event("disclosure.post_submitted", target_type="post", target_id=post.id, actor=actor)
    emit_event(
        "post.submitted", {"post_id": str(post.id), "submission_id": str(submission.id), "check_id": str(check.id)}
    )
    request_check_run(post.tenant_id)
    return submission, check


def request_check(post: DeliverablePost, principal: Principal) -> Check:
    """Check the post again now (from its latest submission, or by its link)."""
    require_within_plan("disclosure_check")
    submission = latest_submission(post)
    if submission is None:
        raise Unprocessable("Nothing to check yet: the post has not been submitted.")
    check = Check(post_id=post.id, submission_id=submission.id, trigger=CheckTrigger.MANUAL)
    db.session.add(check)
    db.session.flush()
    record_event("disclosure.check_requested", target_type="post", target_id=post.id, actor=principal)
    request_check_run(post.tenant_id)
    return check


def latest_submission(post: DeliverablePost) -> Submission | None:
    return db.session.execute(
        select(Submission).where(Submission.post_id == post.id).order_by(Submission.created_at.desc()).limit(1)
    ).scalar_one_or_none()


def checks_query(post: DeliverablePost) -> Select[tuple[Check]]:
    return (
        select(Check)
        .where(Check.post_id == post.id, Check.status != CheckStatus.SCHEDULED)
        .order_by(Check.created_at.desc(), Check.id)
    )


def get_check(check_id: uuid.UUID, principal: Principal) -> Check:
    check = db.session.execute(select(Check).where(Check.id == check_id)).scalar_one_or_none()
    if check is None or not principal.can_access_client(check.post.campaign.client_id):
        raise NotFound("No check with this id in your account.")
    return check
