import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// The whole "Proceso Capilar" of one prospect, walked by each person in turn; the data
// between the tours (the prospect's photos) and the checks are in
// tests/test_proceso_capilar_tour.py.
const PROSPECT = "Mariana Ortiz Vega";

/** Open the HMR CRM app and wait for its first screen. */
function openAppSteps() {
    return [
        ...stepUtils.goToAppSteps("hmr_crm_addon.hmr_menu_root", "Open HMR CRM"),
        {
            trigger: ".o_action_manager .o_breadcrumb .active",
            content: "The app shows its first menu",
        },
    ];
}

/**
 * Open a menu of the HMR CRM app, unless the app opened on it (its first menu the user
 * may see): clicking it again would reload the same screen while the next step acts
 * on it.
 */
function openMenuSteps(menuXmlid, title) {
    return [
        {
            trigger: `.o_main_navbar [data-menu-xmlid="${menuXmlid}"]`,
            content: `Open ${title}`,
            async run({ queryFirst, click }) {
                if (!queryFirst(`.o_action_manager .o_breadcrumb .active:contains(${title})`)) {
                    await click();
                }
            },
        },
        {
            trigger: `.o_action_manager .o_breadcrumb .active:contains(${title})`,
            content: `${title} is open`,
        },
    ];
}

/**
 * Search ``search`` in a many2one and choose ``option`` among the results. The
 * dropdown first lists every record (on the click) and then the results of the search:
 * the option is chosen once every record listed matches the search (Odoo's own options,
 * such as "Search more...", never do).
 */
function selectInAutocompleteSteps(field, search, option) {
    return [
        {
            trigger: `${field} input`,
            run: `edit ${search}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item:not(.o_m2o_dropdown_option):not(:contains(${search})))) .o-autocomplete--dropdown-item a:contains(${option})`,
            content: `Choose ${option}`,
            run: "click",
        },
    ];
}

/** Open the Proceso Capilar board and find the prospect's card in the column of ``step``. */
function boardSteps(step) {
    return [
        {
            trigger: '.o_main_navbar [data-menu-xmlid="hmr_treatments_addon.hmr_menu_cases"]',
            content: "Open the Proceso Capilar board",
            run: "click",
        },
        {
            trigger: `.o_kanban_group:has(.o_column_title:contains(${step})) .o_kanban_record:contains(${PROSPECT})`,
            content: `The prospect's case is in the column "${step}"`,
        },
    ];
}

// P1, P2, S1.1: the sales executive captures the prospect and assigns the hair transplant;
// the case starts at the photos step.
registry.category("web_tour.tours").add("hmr_capilar_executive_tour", {
    url: "/odoo",
    steps: () => [
        ...openAppSteps(),
        ...openMenuSteps("hmr_crm_addon.hmr_menu_prospects", "Prospects"),
        {
            trigger: ".o_control_panel .o_list_button_add",
            content: "Create a prospect",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=first_name] input",
            run: "edit Mariana",
        },
        {
            trigger: ".o_field_widget[name=last_name] input",
            run: "edit Ortiz Vega",
        },
        {
            trigger: ".o_field_widget[name=email_from] input",
            run: "edit mariana.capilar@example.mx",
        },
        ...selectInAutocompleteSteps(
            ".o_field_widget[name=contact_method_id]",
            "WhatsApp",
            "WhatsApp"
        ),
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
        ...selectInAutocompleteSteps(
            ".o_field_widget[name=treatment_case_ids] .o_field_widget[name=treatment_id]",
            "FUE hair",
            "FUE hair transplant"
        ),
        ...stepUtils.saveForm(),
        {
            trigger: `.o_last_breadcrumb_item:contains(${PROSPECT})`,
            content: "The prospect is named after first name and surnames",
        },
        {
            trigger: ".o_field_widget[name=treatment_case_ids] td:contains(Hair Process)",
            content: "The assigned treatment follows its process",
        },
        ...boardSteps("Photos"),
    ],
});

// S2.1-S2.4: the diagnosis doctor given the assessment finds it, assesses the prospect,
// prepares the quote and sends it with Odoo's composer.
registry.category("web_tour.tours").add("hmr_capilar_doctor_tour", {
    url: "/odoo",
    steps: () => [
        ...openAppSteps(),
        ...boardSteps("Medical assessment"),
        ...openMenuSteps("hmr_treatments_addon.hmr_menu_my_assessments", "My Assessments"),
        {
            trigger: `.o_list_view .o_data_row:contains(${PROSPECT}) td[name=lead_id]`,
            content: "Open the case to assess",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button[aria-checked=true]:contains(Medical assessment)",
            content: "The case waits for its assessment",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_assessment]",
            content: "Assess",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=hair_loss_scale] .o_select_menu_toggler",
            content: "Record the hair loss scale",
            run: "click",
        },
        {
            trigger: ".o_select_menu_menu .o_select_menu_item:contains(Norwood 4)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=hair_loss_scale] .o_select_menu_toggler:value(Norwood 4)",
        },
        {
            trigger: ".o_field_widget[name=graft_estimate] input",
            content: "Record the estimated grafts",
            run: "edit 2500",
        },
        {
            trigger: ".o_field_widget[name=findings] .odoo-editor-editable div.o-paragraph",
            content: "Write the findings",
            run: "editor Receding frontal line, good donor area.",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_done]",
            content: "Mark Assessed and Prepare Quote",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=hmr_case_id]",
            content: "The quote of the case opens",
        },
        {
            trigger:
                ".o_field_widget[name=order_line] .o_data_row:contains(per graft) td[name=product_uom_qty]:contains(2,500)",
            content: "The grafts are quoted as the doctor estimated",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary[name=action_quotation_send]",
            content: "Send the quote",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=partner_ids] .o_tag:contains(Mariana)",
            content: "The quote is addressed to the prospect",
        },
        {
            trigger: ".modal .modal-footer button.o_mail_send",
            content: "Send it",
            run: "click",
        },
        {
            trigger: "body:not(.modal-open) .o_form_view .o_statusbar_status button[aria-checked=true]:contains(Quotation Sent)",
            content: "The quote is sent",
        },
    ],
});

// S3.1: the prospect opens the quote from the link they received, accepts and signs it.
registry.category("web_tour.tours").add("hmr_capilar_prospect_tour", {
    steps: () => [
        {
            trigger: "body[is-ready=true]",
            content: "Wait for the page to be interactive",
        },
        {
            trigger: ".o_portal_sale_sidebar a.btn-primary[data-bs-target='#modalaccept']:contains(Accept & Sign)",
            content: "Accept & Sign",
            run: "click",
        },
        {
            trigger: ".modal#modalaccept .o_web_sign_name_and_signature input",
            content: "Clear the name the page suggests",
            run: "clear",
        },
        {
            trigger: ".modal#modalaccept .o_portal_sign_submit:disabled",
            content: "Without a name there is no signature to send",
        },
        {
            trigger: ".modal#modalaccept .o_web_sign_name_and_signature input",
            content: "Type the name: it draws the signature",
            run: `fill ${PROSPECT}`,
        },
        {
            trigger: `.modal#modalaccept .o_web_sign_name_and_signature input:value(${PROSPECT})`,
        },
        {
            trigger: ".modal#modalaccept canvas.o_web_sign_signature",
            run: "canvasNotEmpty",
        },
        {
            trigger: ".modal#modalaccept .o_portal_sign_submit:enabled",
            content: "Accept & Sign",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "#quote_content .alert-success:contains(Your order has been confirmed)",
            content: "Odoo confirms the signed order",
        },
        {
            trigger: "#hmr_answer_status:contains(You accepted this quote)",
            content: "The answer is recorded",
        },
    ],
});
