import { onWillStart } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { listView } from "@web/views/list/list_view";
import { ListRenderer } from "@web/views/list/list_renderer";

/**
 * The Messages tab (D7): above the list, a banner when the clinic cannot deliver its
 * messages at all (no outgoing mail server, no SMS provider), so that failed messages
 * are not a mystery to the executive and the manager.
 */
export class HmrCrmMessageListRenderer extends ListRenderer {
    static template = "hmr_crm_addon.HmrCrmMessageListRenderer";

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.deliveryWarnings = {};
        onWillStart(async () => {
            this.deliveryWarnings = await this.orm.call(
                "hmr.crm.message",
                "get_delivery_warnings",
                []
            );
        });
    }
}

registry.category("views").add("hmr_crm_message_list", {
    ...listView,
    Renderer: HmrCrmMessageListRenderer,
});
