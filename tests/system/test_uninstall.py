"""Uninstalling the addons leaves Odoo's CRM and sales as Odoo ships them: a database of its
own (crm, sale_crm and the two addons, no demo clinic), the addons uninstalled over XML-RPC as
an administrator would, then a plain Odoo salesman works."""

import re
import subprocess
import time
import xmlrpc.client
from pathlib import Path

import pytest
from conftest import OUT, Server, _drop_database
from hmr_client import Rpc, wait_until

ADDONS = ["hmr_treatments_addon", "hmr_crm_addon"]
ODOO_RULES = {
    "crm.crm_rule_personal_lead": "crm/security/crm_security.xml",
    "sale.sale_order_personal_rule": "sale/security/ir_rules.xml",
    "sale.sale_order_line_personal_rule": "sale/security/ir_rules.xml",
}


def _shipped_domain(server, xmlid):
    """The rule's domain as Odoo's own data file defines it."""
    name = xmlid.split(".")[1]
    for addons_dir in server.addons_path.split(","):
        path = Path(addons_dir, ODOO_RULES[xmlid])
        if path.exists():
            record = re.search(rf'id="{name}".*?</record>', path.read_text(), re.S).group(0)
            return re.search(r'name="domain_force">(.*?)</field>', record).group(1)
    raise AssertionError(f"{ODOO_RULES[xmlid]} not found in {server.addons_path}")


def _ref(admin, xmlid):
    module, name = xmlid.split(".")
    domain = [("module", "=", module), ("name", "=", name)]
    return admin.call("ir.model.data", "search_read", domain, ["res_id"])[0]["res_id"]


def _uninstall(admin, modules):
    """Odoo refuses while a scheduled action runs (the server's cron threads are on)."""
    try:
        admin.call("ir.module.module", "button_immediate_uninstall", modules)
    except xmlrpc.client.Fault as fault:
        if "scheduled action" not in fault.faultString:
            raise
        return False
    return True


@pytest.fixture(scope="module")
def bare_server():
    OUT.mkdir(exist_ok=True)
    server = Server()
    server.db = f"{server.db}_uninstall_{int(time.time())}"
    server.log = OUT / "uninstall_server.log"
    try:
        with open(OUT / "uninstall_build.log", "w") as log:
            command = [f"{server.bin}/python", "-m", "odoo", "server", "-d", server.db]
            command += [f"--addons-path={server.addons_path}", "--db_host=127.0.0.1"]
            command += ["-i", ",".join(["crm", "sale_crm", *ADDONS]), "--stop-after-init"]
            command += ["--no-http", "--log-level=warn"]
            subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT)
        server.start()
        yield server
    finally:
        server.stop()
        _drop_database(server.db)


def test_plain_salesman_works_after_uninstall(bare_server):
    """C2: after the addons are uninstalled, Odoo's salesman rules of prospects, quotes and
    quote lines are the ones Odoo ships, and a plain salesman reads and creates leads and
    quotes (their own and the unassigned ones, as Odoo means)."""
    admin = Rpc(bare_server.url, bare_server.db, "admin")
    modules = admin.call("ir.module.module", "search", [("name", "in", ADDONS)])
    wait_until(lambda: _uninstall(admin, modules), timeout=180, what="the uninstall")
    states = admin.call("ir.module.module", "read", modules, ["state"])
    assert {module["state"] for module in states} == {"uninstalled"}
    for xmlid in ODOO_RULES:
        rule_id = _ref(admin, xmlid)
        [rule] = admin.call("ir.rule", "read", [rule_id], ["domain_force"])
        assert rule["domain_force"] == _shipped_domain(bare_server, xmlid), xmlid

    salesman_id = admin.call(
        "res.users",
        "create",
        {
            "name": "Sam Salesman",
            "login": "salesman",
            "password": "salesman",
            "group_ids": [(4, _ref(admin, "sales_team.group_sale_salesman"))],
        },
    )
    partner = admin.call("res.partner", "create", {"name": "Returning customer"})
    unassigned_lead = admin.call("crm.lead", "create", {"name": "Nobody's lead", "user_id": False})
    unassigned_quote = admin.call("sale.order", "create", {"partner_id": partner, "user_id": False})
    salesman = Rpc(bare_server.url, bare_server.db, "salesman")
    lead = salesman.call("crm.lead", "create", {"name": "My lead", "partner_id": partner})
    quote = salesman.call(
        "sale.order",
        "create",
        {
            "partner_id": partner,
            "opportunity_id": lead,
            "order_line": [(0, 0, {"name": "Service", "product_uom_qty": 1, "price_unit": 10})],
        },
    )
    assert set(salesman.call("crm.lead", "search", [])) == {lead, unassigned_lead}
    assert set(salesman.call("sale.order", "search", [])) == {quote, unassigned_quote}
    [read] = salesman.call("sale.order", "read", [quote], ["user_id", "order_line"])
    assert read["user_id"][0] == salesman_id and len(read["order_line"]) == 1
    assert salesman.call("sale.order.line", "search_count", [("order_id", "=", quote)]) == 1
