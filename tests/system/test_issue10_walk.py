"""Issue 10 as the clinic's users meet it on the real server (started as `make run` starts
it): what a QA walk of the stages, the manager's rights and the prospect's answer found."""

import base64
import io
import re

from hmr_client import json_rpc
from PIL import Image


def _signature_png():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (20, 20, 120)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_manager_opens_the_clinic_settings(users):
    """B4, C1 (issue 10, least privilege): the clinic's manager, no Odoo administrator,
    opens the clinic's settings as the web client does (its first call asks for the
    form's title, which Odoo reads from the window actions only administrators may read)."""
    manager = users["gerente"]
    assert not manager.call("res.users", "has_group", [manager.uid], "base.group_system")
    values = manager.call(
        "res.config.settings",
        "onchange",
        [],
        {},
        [],
        {"display_name": {}, "group_hmr_see_unassigned": {}},
    )["value"]
    assert values["display_name"]
    assert "group_hmr_see_unassigned" in values


def test_prospect_marked_lost_who_signs_becomes_a_client(users, admin, web, server, sent_quotes):
    """D1, D5, S3.1 (issue 10, one status): the executive marks a prospect not interested
    while their quote is still open; the prospect signs it after all on the portal: they
    are a client (the Cliente stage, no longer lost), never a lost prospect with an
    accepted quote."""
    quote = sent_quotes("ejecutivo", first_name="Ricarda")
    executive = users["ejecutivo"]
    lead_id = admin.read_one("sale.order", quote["id"], ["opportunity_id"])["opportunity_id"][0]
    reason = admin.ref("hmr_crm_addon.crm_lost_reason_not_interested")
    executive.write("crm.lead", [lead_id], {"lost_reason_id": reason})
    executive.button("crm.lead", "action_set_lost", [lead_id])
    assert not admin.read_one("crm.lead", lead_id, ["active"])["active"]

    token = re.search(r"access_token=([\w-]+)", quote["url"]).group(1)
    response = json_rpc(
        web,
        f"{server.url}/my/orders/{quote['id']}/accept",
        {"access_token": token, "name": "Ricarda Prueba", "signature": _signature_png()},
    )
    assert "error" not in response.json()["result"], response.json()
    order = admin.read_one("sale.order", quote["id"], ["state", "hmr_quote_status"])
    assert (order["state"], order["hmr_quote_status"]) == ("sale", "accepted")
    lead = admin.search_read(
        "crm.lead",
        [("id", "=", lead_id), ("active", "in", [True, False])],
        ["active", "won_status", "hmr_status", "deal_status", "lost_reason_id"],
    )[0]
    assert lead["active"] and not lead["lost_reason_id"]
    assert (lead["won_status"], lead["hmr_status"], lead["deal_status"]) == (
        "won",
        "client",
        "won",
    )
