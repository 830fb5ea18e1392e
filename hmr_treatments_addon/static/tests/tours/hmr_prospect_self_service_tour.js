import { registry } from "@web/core/registry";

/**
 * A JPEG made in the browser, as a phone camera would hand it to the file input.
 */
async function makeJpegFile(index) {
    const canvas = document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const context = canvas.getContext("2d");
    context.fillStyle = `rgb(${60 + index * 30}, 90, 120)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    return new File([blob], `photo_${index}.jpg`, { type: "image/jpeg" });
}

function uploadNextPhotoSteps(index) {
    return [
        {
            trigger: ".o_hmr_slot_missing:first input[name=photo]",
            content: `Take photo ${index} with the phone camera`,
            async run() {
                const transfer = new DataTransfer();
                transfer.items.add(await makeJpegFile(index));
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: ".o_hmr_slot_missing:first .o_hmr_photo_submit",
            content: `Send photo ${index}`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_hmr_upload_success",
            content: `Photo ${index} is saved`,
        },
    ];
}

// B1: a visitor becomes a prospect through the public form, on a phone
registry.category("web_tour.tours").add("hmr_web_request_tour", {
    url: "/hmr/solicitud",
    steps: () => [
        { trigger: "input[name=first_name]", run: "edit Valeria" },
        { trigger: "input[name=last_name]", run: "edit Núñez Robles" },
        { trigger: "input[name=email_from]", run: "edit valeria.tour@example.mx" },
        { trigger: "input[name=phone]", run: "edit +52 55 8765 4321" },
        { trigger: "select[name=treatment_id]", run: "selectByLabel Test Hair Transplant" },
        { trigger: "input[name=privacy_consent]", run: "check" },
        {
            trigger: ".o_hmr_request_submit",
            content: "Send the request",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_hmr_request_thanks h1",
            content: "The request is received",
        },
    ],
});

// B2: from the link of the acknowledgment, the prospect sends the 5 photos from the phone
registry.category("web_tour.tours").add("hmr_prospect_photos_tour", {
    steps: () => [
        {
            trigger: ".o_hmr_profile_incomplete:contains(0 / 5)",
            content: "Nothing received yet",
        },
        ...[1, 2, 3, 4, 5].flatMap(uploadNextPhotoSteps),
        {
            trigger: ".o_hmr_profile_complete",
            content: "The profile is complete",
        },
        {
            trigger: ".o_hmr_photos:not(:has(.o_hmr_slot_missing)):not(:has(form.o_hmr_photo_form))",
            content: "Every slot is filled, and no more upload is offered",
        },
    ],
});
