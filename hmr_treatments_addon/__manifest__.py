{
    "name": "HMR Treatments",
    "summary": "Treatments, processes, products, costs, discounts and questionnaires of the clinic",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "HMR",
    "website": "https://hmr.example.com",
    "license": "LGPL-3",
    "depends": ["hmr_crm_addon", "product", "sale_management", "survey", "base_automation"],
    "data": [
        # security first: the group implications and access rows are needed by the data below
        "security/hmr_treatments_security.xml",
        "security/ir.model.access.csv",
        # catalogs in dependency order: processes, products, pricelist, survey, then the
        # treatments that point to all of them, then the discounts that point to treatments
        "data/hmr_process_data.xml",
        "data/product_product_data.xml",
        "data/product_pricelist_data.xml",
        "data/survey_survey_data.xml",
        "data/hmr_treatment_data.xml",
        "data/hmr_discount_data.xml",
        "views/hmr_process_views.xml",
        "views/hmr_treatment_views.xml",
        "views/hmr_treatment_case_views.xml",
        "views/hmr_discount_views.xml",
        "views/crm_lead_views.xml",
        "views/product_template_views.xml",
        "views/product_pricelist_item_views.xml",
        "views/survey_survey_views.xml",
        "views/hmr_treatments_menus.xml",
    ],
}
