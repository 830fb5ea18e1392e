{
    "name": "HMR CRM end-to-end tests",
    "summary": "Browser tours and HTTP scenarios that cross the HMR addons (tests only)",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "HMR",
    "website": "https://hmr.example.com",
    "license": "LGPL-3",
    "depends": ["hmr_crm_addon", "hmr_treatments_addon"],
    "assets": {
        "web.assets_tests": ["hmr_e2e_tests/static/tests/tours/*.js"],
    },
}
