import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// P1, P2: a sales executive captures a prospect in the web client and assigns a treatment.
registry.category("web_tour.tours").add("hmr_prospect_capture_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hmr_crm_addon.hmr_menu_root", "Open HMR CRM"),
        {
            trigger: ".o_list_button_add",
            content: "Create a prospect",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=first_name] input",
            run: "edit Lucía",
        },
        {
            trigger: ".o_field_widget[name=last_name] input",
            run: "edit Ramírez Torres",
        },
        {
            trigger: ".o_field_widget[name=email_from] input",
            run: "edit lucia.tour@example.mx",
        },
        {
            trigger: ".o_field_widget[name=contact_method_id] input",
            run: "edit WhatsApp",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(WhatsApp)",
            run: "click",
        },
        {
            trigger: ".o_notebook a[name=hmr_treatments]",
            content: "Open the treatments of the prospect",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=treatment_case_ids] .o_field_x2many_list_row_add a",
            content: "Assign a treatment",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=treatment_case_ids] .o_field_widget[name=treatment_id] input",
            run: "edit FUE hair",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(FUE hair transplant)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            trigger: ".o_last_breadcrumb_item:contains(Lucía Ramírez Torres)",
            content: "The prospect is named after first name and surnames",
        },
        {
            trigger: ".o_field_widget[name=treatment_case_ids] td:contains(Hair Process)",
            content: "The assigned treatment follows its process",
        },
    ],
});

// C3-C12: a manager finds every catalog under Configuration.
registry.category("web_tour.tours").add("hmr_manager_catalogs_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hmr_crm_addon.hmr_menu_root", "Open HMR CRM"),
        {
            trigger: 'button[data-menu-xmlid="hmr_crm_addon.hmr_menu_configuration"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="hmr_crm_addon.hmr_menu_config_sections"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td:contains(Hair)",
            content: "The starter sections are listed",
        },
        {
            trigger: 'button[data-menu-xmlid="hmr_crm_addon.hmr_menu_configuration"]',
            run: "click",
        },
        {
            trigger: 'a[data-menu-xmlid="hmr_crm_addon.hmr_menu_config_contact_methods"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td:contains(WhatsApp)",
            content: "The starter contact methods are listed",
        },
    ],
});

// C2: another executive's prospect, opened by its address, is refused with a clear
// error (and the web client does not reload in a loop looking for another company).
registry.category("web_tour.tours").add("hmr_foreign_prospect_refused_tour", {
    steps: () => [
        {
            trigger: ".o_error_dialog, .modal:contains(Access Error), .modal:contains(restricted)",
            content: "The access error is shown",
        },
    ],
});
