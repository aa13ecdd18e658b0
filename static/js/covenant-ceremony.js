// Ceremony mode (templates/covenants/ceremony.html): after each answer to the signing form
// (the only POST on the page; the tally polls with GET), put the cursor where the next leader
// starts, or on the field to correct, so the tablet can be handed over at once. No inline
// script (CSP).
document.addEventListener("htmx:afterSettle", (event) => {
  const config = event.detail.requestConfig;
  const section = document.getElementById("ky-tai-hoi-nghi");
  if (!section || !config || config.verb !== "post") {
    return;
  }
  const field = section.querySelector(".is-invalid, select, input:not([type=hidden])");
  if (field) {
    field.focus();
  }
});
