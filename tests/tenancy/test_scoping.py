"""The two walls between tenants: ORM scoping that fails closed, and PostgreSQL row-level security."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import ProgrammingError

from service.extensions import db
from tenants.context import tenant_scope, unscoped
from tenants.errors import TenantScopeError
from tenants.models import Client, Tenant
from tenants.scoping import TenantOwned


@pytest.fixture
def two_agencies(seed):
    from tenants.models import TenantKind

    a = seed.make_tenant(TenantKind.AGENCY, name="Agency A")
    b = seed.make_tenant(TenantKind.AGENCY, name="Agency B")
    return a, b, seed.make_client(a.id, name="A-Client"), seed.make_client(b.id, name="B-Client")


def client_names() -> list[str]:
    return sorted(db.session.execute(select(Client.name)).scalars())


def test_query_without_tenant_raises_instead_of_returning_everything(app_context, two_agencies):
    with pytest.raises(TenantScopeError):
        client_names()


def test_each_tenant_sees_only_its_own_rows(app_context, two_agencies):
    a, b, _, _ = two_agencies
    with tenant_scope(a.id):
        assert client_names() == ["A-Client"]
    db.session.rollback()
    with tenant_scope(b.id):
        assert client_names() == ["B-Client"]


def test_get_by_id_of_another_tenant_finds_nothing(app_context, two_agencies):
    a, _, _, b_client = two_agencies
    with tenant_scope(a.id):
        assert db.session.execute(select(Client).where(Client.id == b_client)).scalar_one_or_none() is None


def test_unscoped_is_the_explicit_bypass(app_context, two_agencies):
    with unscoped("test: admin report across tenants"):
        assert client_names() == ["A-Client", "B-Client"]


def test_unscoped_needs_a_reason():
    with pytest.raises(ValueError), unscoped("  "):
        pass


def test_new_rows_are_stamped_with_the_tenant_in_context(app_context, two_agencies):
    a, _, _, _ = two_agencies
    with tenant_scope(a.id):
        client = Client(name="Stamped")
        db.session.add(client)
        db.session.commit()
        assert client.tenant_id == a.id


def test_writing_a_row_for_another_tenant_is_refused(app_context, two_agencies):
    a, b, _, _ = two_agencies
    with tenant_scope(a.id):
        db.session.add(Client(name="Smuggled", tenant_id=b.id))
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()


def test_writing_tenant_data_outside_any_scope_is_refused(app_context, two_agencies):
    db.session.add(Client(name="Orphan"))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()


# --- the database wall (row-level security) -------------------------------------------------------


def raw_client_names() -> list[str]:
    """Plain SQL: the ORM criteria do not apply, only the database's policies do."""
    return sorted(db.session.execute(text("SELECT name FROM clients")).scalars())


def test_rls_filters_raw_sql_by_the_transactions_tenant(app_context, two_agencies):
    a, b, _, _ = two_agencies
    with tenant_scope(a.id):
        assert raw_client_names() == ["A-Client"]
    db.session.commit()
    with tenant_scope(b.id):
        assert raw_client_names() == ["B-Client"]
    db.session.commit()


def test_rls_shows_nothing_without_a_tenant(app_context, two_agencies):
    assert raw_client_names() == []


def test_rls_refuses_raw_inserts_into_another_tenant(app_context, two_agencies):
    a, b, _, _ = two_agencies
    with tenant_scope(a.id), pytest.raises(ProgrammingError, match="row-level security"):
        db.session.execute(
            text(
                "INSERT INTO clients (id, tenant_id, name, archived, created_at) "
                "VALUES (gen_random_uuid(), :t, 'Sneaky', false, now())"
            ),
            {"t": b.id},
        )
    db.session.rollback()


def test_tenant_setting_does_not_survive_the_transaction_on_a_pooled_connection(app, two_agencies):
    a, _, _, _ = two_agencies
    with app.app_context():
        with tenant_scope(a.id):
            assert raw_client_names() == ["A-Client"]
        db.session.commit()
        # Same pooled connection, next transaction, no tenant: the database shows nothing.
        engine_conn = db.engine.connect()
        try:
            assert engine_conn.execute(text("SELECT count(*) FROM clients")).scalar_one() == 0
            setting = engine_conn.execute(text("SELECT current_setting('fairpact.tenant_id', true)")).scalar_one()
            assert setting in ("", None)
        finally:
            engine_conn.close()


def tenant_owned_tables() -> list[str]:
    return sorted(
        mapper.local_table.name for mapper in db.Model.registry.mappers if issubclass(mapper.class_, TenantOwned)
    )


def test_every_tenant_owned_table_has_forced_rls_and_a_policy(app_context):
    tables = tenant_owned_tables()
    assert "clients" in tables and "audit_events" in tables
    rows = db.session.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.schemaname = n.nspname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(:tables)"
        ),
        {"tables": tables},
    ).all()
    found = {name: (enabled, forced, policy) for name, enabled, forced, policy in rows}
    missing = [t for t in tables if found.get(t) != (True, True, True)]
    assert not missing, f"tables without enabled+forced RLS and a policy: {missing}"


def test_app_role_is_not_able_to_bypass_rls(app_context):
    superuser, bypass = db.session.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert (superuser, bypass) == (False, False)


def test_tenant_owned_tables_are_ready_to_be_distributed_by_tenant(app_context):
    """Citus distributes by tenant_id: it must lead every primary key and be part of every unique key."""
    inspector = inspect(db.engine)
    problems = []
    for table in tenant_owned_tables():
        primary = inspector.get_pk_constraint(table)["constrained_columns"]
        if primary[:1] != ["tenant_id"]:
            problems.append(f"{table}: primary key {primary}")
        for unique in inspector.get_unique_constraints(table):
            if "tenant_id" not in unique["column_names"]:
                problems.append(f"{table}: unique {unique['column_names']}")
        for index in inspector.get_indexes(table):
            if index.get("unique") and "tenant_id" not in index["column_names"]:
                problems.append(f"{table}: unique index {index['column_names']}")
    assert not problems, problems


def test_tenants_table_itself_is_readable_for_resolving_the_tenant(app_context, two_agencies):
    names = sorted(db.session.execute(select(Tenant.name)).scalars())
    assert names == ["Agency A", "Agency B"]
