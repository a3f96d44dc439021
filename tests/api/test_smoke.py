"""First contact: the app starts against PostgreSQL and answers the API with a key."""

from tests.factories import bearer


def test_tenant_endpoint_answers_with_the_keys_tenant(client, seed):
    acme = seed.make_tenant(name="Acme")
    key = seed.make_api_key(acme.id)
    response = client.get("/api/v1/tenant", headers=bearer(key))
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Acme"
    assert response.json["id"] == str(acme.id)
