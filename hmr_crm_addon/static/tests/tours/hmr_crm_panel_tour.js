import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

function openCrmTab(xmlid, content) {
    return [
        {
            trigger: 'button[data-menu-xmlid="hmr_crm_addon.hmr_menu_crm"]',
            content: "Open the CRM menu",
            run: "click",
        },
        {
            trigger: `a[data-menu-xmlid="hmr_crm_addon.${xmlid}"]`,
            content,
            run: "click",
        },
    ];
}

// D2-D8: an executive goes through the tabs of the CRM panel as in DriCloud: a lead
// becomes a contact from the stage bar of its form, then deals, not interested, calls,
// messages, and a quote becomes an invoice in one click.
registry.category("web_tour.tours").add("hmr_crm_panel_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hmr_crm_addon.hmr_menu_root", "Open HMR CRM"),
        ...openCrmTab("hmr_menu_crm_leads", "The Leads tab"),
        {
            trigger: ".o_breadcrumb:contains(Leads)",
        },
        {
            trigger: ".o_data_row:contains(Lucía Lead) button[name=action_hmr_schedule_call]",
            content: "Call, SMS and email from each lead",
        },
        {
            trigger: ".o_data_row td.o_data_cell:contains(Lucía Lead)",
            content: "Open the lead",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=stage_id] button.o_arrow_button:contains(Contact)",
            content: "Change its stage from the status bar",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=stage_id] button.o_arrow_button_current:contains(Contact)",
        },
        {
            // the stage bar saves the prospect itself (Odoo's crm_rainbowman tour waits alike)
            trigger: ".o_form_readonly, .o_form_saved",
            content: "The stage bar saved the prospect",
        },
        ...openCrmTab("hmr_menu_crm_contacts", "The Contacts tab"),
        {
            trigger: ".o_data_row:contains(Lucía Lead)",
            content: "The lead became a contact",
        },
        {
            trigger: ".o_data_row:contains(Carlos Contacto)",
        },
        ...openCrmTab("hmr_menu_crm_deals", "The Deals tab"),
        {
            trigger: ".o_kanban_group:contains(Negotiating) .o_kanban_record:contains(Diana Deal)",
            content: "The deals by their status",
        },
        ...openCrmTab("hmr_menu_crm_not_interested", "The Not Interested tab"),
        {
            trigger: ".o_data_row:contains(Nora Nointeresada)",
            content: "Lost prospects are listed although Odoo archives them",
        },
        ...openCrmTab("hmr_menu_crm_calls", "The Calls tab"),
        {
            trigger: ".o_data_row:contains(Carlos Contacto)",
            content: "The calls to make, with their time",
        },
        ...openCrmTab("hmr_menu_crm_messages", "The Messages tab"),
        {
            trigger: ".o_data_row:contains(Diana Deal):contains(Sent)",
            content: "The messages sent, scheduled and failed",
        },
        ...openCrmTab("hmr_menu_crm_quotes", "The Quotes tab"),
        {
            trigger: ".o_data_row:contains(Diana Deal) button[name=action_hmr_invoice]",
            content: "One click: the quote becomes an invoice",
            run: "click",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            content: "Confirm",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Diana Deal)",
            content: "The invoice of the quote is open",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids]:contains(Tour FUE)",
        },
    ],
});

// B5, D1: a manager finds the panel (the pipeline, one column per stage) and the funnel.
registry.category("web_tour.tours").add("hmr_crm_manager_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hmr_crm_addon.hmr_menu_root", "Open HMR CRM"),
        ...openCrmTab("hmr_menu_crm_panel", "The panel, one column per stage"),
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Deal)) .o_kanban_record:contains(Diana Deal)",
        },
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Contact)) .o_kanban_record:contains(Carlos Contacto)",
        },
        {
            trigger: 'button[data-menu-xmlid="hmr_crm_addon.hmr_menu_reporting"]',
            content: "Reporting",
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="hmr_crm_addon.hmr_menu_reporting_funnel"]',
            content: "The funnel",
            run: "click",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Instagram)",
            content: "Conversion and days per step, by source",
        },
    ],
});
